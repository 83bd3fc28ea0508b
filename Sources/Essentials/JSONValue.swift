/// A parsed JSON value from an untrusted source, as ``JSONParser`` reads it.
///
/// A number keeps its literal as written (`42`, `-0.5e3`): readers can tell an integer from a fraction and
/// convert without loss. Duplicate object keys: the last one wins.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The member `key` of an object; nil for a missing key or a value that is not an object.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// A finite number; nil for anything else (strings holding numbers are not numbers).
    public var doubleValue: Double? {
        guard case .number(let literal) = self, let d = Double(literal), d.isFinite else { return nil }
        return d
    }

    /// A number within `Int64`; fractional values are truncated toward zero.
    public var int64Value: Int64? {
        guard let d = doubleValue, d > -9.2e18, d < 9.2e18 else { return nil }
        return Int64(d)
    }

    /// True for a number written without a fraction or an exponent (`0`, not `0.0`).
    public var isInteger: Bool {
        guard case .number(let literal) = self else { return false }
        return !literal.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
    }

    /// A string as it is, or a number as text (an integer in plain decimal); nil for anything else.
    public var scalarText: String? {
        switch self {
        case .string(let s): return s
        case .number(let literal):
            if isInteger, let integer = Int64(literal) { return String(integer) }
            return doubleValue.map { "\($0)" } ?? literal
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    public var isObject: Bool { objectValue != nil }
}
