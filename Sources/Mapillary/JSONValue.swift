/// A parsed JSON value, as the Graph API's untrusted answers are read.
///
/// Numbers are kept as `Double` (Graph ids travel as strings; `captured_at` in ms fits exactly).
/// Duplicate object keys: the last one wins.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// A finite number; nil for anything else (strings holding numbers are not numbers).
    var doubleValue: Double? {
        if case .number(let d) = self, d.isFinite { return d }
        return nil
    }

    /// An integral number within `Int64`; fractional values are truncated toward zero.
    var int64Value: Int64? {
        guard let d = doubleValue, d > -9.2e18, d < 9.2e18 else { return nil }
        return Int64(d)
    }

    var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    var isObject: Bool {
        if case .object = self { return true }
        return false
    }
}
