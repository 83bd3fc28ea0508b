/// One request the IA half received, as its server saw it, with the status it answered (0 for a reset).
public struct IARequestRecord: Sendable {
    public enum Host: String, Sendable {
        case s3
        case archive
    }

    public let host: Host
    public let method: String
    public let target: String
    public let path: String
    public let query: [(name: String, value: String)]
    /// Names lowercased, in order.
    public let headers: [(name: String, value: String)]
    public let status: Int
    /// Body bytes read from the client.
    public let bodyBytes: Int64

    /// The last header named `name` (any case).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.last { $0.name == lowered }?.value
    }

    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }
}
