/// One metadata key with its values in order (rip's `.meta/{key}/0..n-1`).
public struct MetaField: Sendable, Equatable {
    public var key: String
    public var values: [String]

    public init(key: String, values: [String]) {
        self.key = key
        self.values = values
    }
}

/// An item's Internet Archive metadata: keys in order, each with one or more values.
/// Two metadata are equal when they hold the same values for the same keys, in any key order.
public struct ItemMetadata: Sendable, Equatable {
    /// The keys and their values, in the order they were added.
    public private(set) var fields: [MetaField]

    /// Metadata from fields; keys with no values are dropped, a repeated key keeps its first place.
    public init(_ fields: [MetaField] = []) {
        self.fields = []
        for field in fields { self[field.key] = self[field.key] + field.values }
    }

    /// True when `key` is an item metadata key: `^[A-Za-z][A-Za-z0-9._-]*$`, what IA takes in an
    /// `x-archive-meta-` header and what can name a `.meta` folder. The one rule for `--meta`, templates, `.meta`
    /// folders (`verify`, `package`) and the upload's headers, so a key is refused before any work, not after.
    public static func isValidKey(_ key: String) -> Bool {
        guard let first = key.utf8.first, isLetter(first) else { return false }
        return key.utf8.allSatisfy { isLetter($0) || ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 95 || $0 == 45 }
    }

    /// What ``isValidKey(_:)`` asks, as words for a sentence.
    public static let keyRule = "start it with a letter and use only letters, digits, '.', '_' and '-'"

    /// True when `value` can be stored as a `.meta` value and sent to IA: it holds no NUL byte.
    public static func isValidValue(_ value: String) -> Bool {
        !value.utf8.contains(0)
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }

    public static func == (lhs: ItemMetadata, rhs: ItemMetadata) -> Bool {
        lhs.fields.count == rhs.fields.count && lhs.fields.allSatisfy { rhs[$0.key] == $0.values }
    }

    /// The keys in order.
    public var keys: [String] { fields.map(\.key) }

    /// The values of `key` (empty when absent). Setting an empty list removes the key.
    public subscript(key: String) -> [String] {
        get { fields.first { $0.key == key }?.values ?? [] }
        set {
            if let index = fields.firstIndex(where: { $0.key == key }) {
                if newValue.isEmpty { fields.remove(at: index) } else { fields[index].values = newValue }
            } else if !newValue.isEmpty {
                fields.append(MetaField(key: key, values: newValue))
            }
        }
    }

    /// This metadata with `overrides` applied: for each key named there, its values replace the
    /// existing ones entirely (a key given several times becomes a list, in order); a key given only
    /// with empty values is removed.
    public func applying(_ overrides: [MetaOverride]) -> ItemMetadata {
        var grouped: [(key: String, values: [String])] = []
        for override in overrides {
            if let index = grouped.firstIndex(where: { $0.key == override.key }) {
                grouped[index].values.append(override.value)
            } else {
                grouped.append((override.key, [override.value]))
            }
        }
        var out = self
        for (key, values) in grouped { out[key] = values.filter { !$0.isEmpty } }
        return out
    }
}

/// One `--meta KEY=VALUE` argument.
public struct MetaOverride: Sendable, Equatable {
    public let key: String
    public let value: String

    /// Checks that `key` is a valid metadata key and `value` a valid value.
    public init(key: String, value: String) throws {
        guard ItemMetadata.isValidKey(key) else {
            throw PackagingError(
                .badMetadata, "the metadata key '\(MemberName.printable(key))' is not allowed; \(ItemMetadata.keyRule)")
        }
        guard ItemMetadata.isValidValue(value) else {
            throw PackagingError(.badMetadata, "the value of '\(key)' contains a NUL byte; remove it")
        }
        self.key = key
        self.value = value
    }

    /// Parses `KEY=VALUE` (split at the first `=`).
    public init(parsing argument: String) throws {
        guard let equals = argument.firstIndex(of: "=") else {
            throw PackagingError(
                .badMetadata,
                "'\(MemberName.printable(argument))' is not KEY=VALUE; write for example --meta collection=opensource_media"
            )
        }
        try self.init(key: String(argument[..<equals]), value: String(argument[argument.index(after: equals)...]))
    }
}
