/// One item of a scrape answer: each field's values as text (a single value is a list of one).
public struct ScrapedItem: Sendable, Equatable {
    public let fields: [String: [String]]

    public init(fields: [String: [String]]) {
        self.fields = fields
    }

    /// The values of `name` (empty when absent).
    public func values(_ name: String) -> [String] { fields[name] ?? [] }

    /// The first value of `name`.
    public func first(_ name: String) -> String? { fields[name]?.first }
}
