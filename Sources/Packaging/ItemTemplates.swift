/// The item's metadata as templates, in the `.meta` layout (`templates/title/0`, …) with
/// `{placeholder}`s that ``render(_:)`` fills from ``ItemFacts``.
public struct ItemTemplates: Sendable, Equatable {
    /// The template values, key by key.
    public let fields: [MetaField]
    /// Where they came from: a folder path, or "built-in templates".
    public let origin: String

    /// Templates from `fields`; every value is checked for unknown placeholders.
    /// - Parameter origin: named in errors, e.g. the folder the templates were read from.
    public init(fields: [MetaField], origin: String) throws {
        self.fields = fields
        self.origin = origin
        for field in fields {
            for (index, value) in field.values.enumerated() {
                _ = try Self.parse(value, file: "\(origin)/\(field.key)/\(index)")
            }
        }
    }

    /// Templates whose placeholders are checked by tests rather than here (the compiled-in copy).
    init(uncheckedFields fields: [MetaField], origin: String) {
        self.fields = fields
        self.origin = origin
    }

    /// Reads templates from a folder in the `.meta` layout.
    public static func load(from folder: String) throws -> ItemTemplates {
        try ItemTemplates(fields: MetaFolder.read(folder: folder).fields, origin: folder)
    }

    /// The metadata for an item: each value with its placeholders filled. A value that uses an
    /// unknown fact, or renders empty, is left out; a key left with no values is dropped.
    public func render(_ facts: ItemFacts) throws -> ItemMetadata {
        var out = ItemMetadata()
        for field in fields {
            var values: [String] = []
            for (index, template) in field.values.enumerated() {
                let parts = try Self.parse(template, file: "\(origin)/\(field.key)/\(index)")
                var text = ""
                var known = true
                for part in parts {
                    switch part {
                    case .literal(let literal): text += literal
                    case .placeholder(let name):
                        if let value = facts.value(of: name) { text += value } else { known = false }
                    }
                }
                if known && !text.isEmpty { values.append(text) }
            }
            out[field.key] = out[field.key] + values
        }
        return out
    }

    private enum Part: Equatable {
        case literal(String)
        case placeholder(String)
    }

    /// Splits a template into literal text and `{name}` placeholders (`name` of `a-z`, `0-9`, `_`).
    /// Braces that do not enclose such a name stay literal; an unknown name throws, naming `file`.
    private static func parse(_ template: String, file: String) throws -> [Part] {
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            literal += rest[..<open]
            let afterOpen = rest.index(after: open)
            let name = rest[afterOpen...].prefix { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
            let close = name.endIndex
            if !name.isEmpty, close < rest.endIndex, rest[close] == "}" {
                guard ItemFacts.placeholders.contains(String(name)) else {
                    let known = ItemFacts.placeholders.sorted().joined(separator: ", ")
                    throw PackagingError(
                        .badTemplate, "the template \(file) uses the unknown placeholder {\(name)}; use one of \(known)"
                    )
                }
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = ""
                parts.append(.placeholder(String(name)))
                rest = rest[rest.index(after: close)...]
            } else {
                literal += "{"
                rest = rest[afterOpen...]
            }
        }
        literal += rest
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return parts
    }
}
