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

    /// True when `key` can name a `.meta` folder: `^[A-Za-z0-9._-]+$`, and not `.` or `..`.
    public static func isValidKey(_ key: String) -> Bool {
        guard !key.isEmpty, key != ".", key != ".." else { return false }
        return key.utf8.allSatisfy { MemberName.isSafe($0) && $0 != UInt8(ascii: "/") }
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

    /// Checks that `key` is a valid `.meta` key.
    public init(key: String, value: String) throws {
        guard ItemMetadata.isValidKey(key) else {
            throw PackagingError(.badMetadata, "the metadata key '\(MemberName.printable(key))' is not allowed; use only letters, digits, '.', '_' and '-'")
        }
        self.key = key
        self.value = value
    }

    /// Parses `KEY=VALUE` (split at the first `=`).
    public init(parsing argument: String) throws {
        guard let equals = argument.firstIndex(of: "=") else {
            throw PackagingError(.badMetadata, "'\(MemberName.printable(argument))' is not KEY=VALUE; write for example --meta collection=opensource_media")
        }
        try self.init(key: String(argument[..<equals]), value: String(argument[argument.index(after: equals)...]))
    }
}
