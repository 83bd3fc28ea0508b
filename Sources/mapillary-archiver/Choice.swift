import ArgumentParser
import Mapillary
import Packaging

/// An option's value from a closed set, as typed. `--help`, the man page and shell completion list the set (the
/// value type's `allValueStrings`); `value(of:)`, called from the command's `validate()`, refuses any other
/// spelling with the tool's one sentence ("--quality must be 256, 1024, 2048 or original, not '512'"), where
/// ArgumentParser's own refusal of the value type would be a sentence of another shape.
struct Choice<Value: ExpressibleByArgument>: ExpressibleByArgument, Sendable {
    /// What was typed.
    let spelling: String

    init(argument: String) {
        spelling = argument
    }

    /// A default value, spelt as `--help` shows it.
    init(_ value: Value) {
        spelling = value.defaultValueDescription
    }

    static var allValueStrings: [String] { Value.allValueStrings }

    static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }

    var defaultValueDescription: String { spelling }

    /// The value typed; a usage error naming `option` and the values it takes for anything else.
    func value(of option: String) throws -> Value {
        guard let value = Value(argument: spelling) else {
            let values = Self.allValueStrings
            let list =
                values.dropLast().joined(separator: ", ") + (values.count > 1 ? " or " : "") + (values.last ?? "")
            throw ValidationError("\(option) must be \(list), not '\(spelling)'")
        }
        return value
    }
}

/// `--quality`: 256, 1024, 2048 or original (in any case), the spellings `Quality(argument:)` accepts.
extension Quality: ExpressibleByArgument {}

/// `--tar-by`: date, top-level or none.
extension TarGrouping: ExpressibleByArgument {
    private static let spellings: [(String, TarGrouping)] = [
        ("date", .date), ("top-level", .topLevel), ("none", .none),
    ]

    public init?(argument: String) {
        guard let match = Self.spellings.first(where: { $0.0 == argument }) else { return nil }
        self = match.1
    }

    public static var allValueStrings: [String] { spellings.map(\.0) }

    public var defaultValueDescription: String { Self.spellings.first { $0.1 == self }?.0 ?? "\(self)" }
}
