/// Just enough XML for IAS3's small answers: the text of named elements, entity-decoded.
/// Elements may carry attributes (`xmlns`); namespaces prefixes are not supported (IA sends none).
enum S3XML {
    /// The text of the first `<tag>` element (`<tag/>` gives ""), or nil when there is none.
    static func value(_ tag: String, in text: String) -> String? {
        blocks(tag, in: text).first.map(decodeEntities)
    }

    /// The raw inner text of every `<tag>` element, in order (empty for `<tag/>`).
    static func blocks(_ tag: String, in text: String) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        let open = "<" + tag
        let close = "</" + tag + ">"
        while let start = rest.firstRange(of: open) {
            let afterName = rest[start.upperBound...]
            guard let next = afterName.first else { break }
            guard next == ">" || next == " " || next == "/" || next == "\t" || next == "\n" || next == "\r" else {
                rest = afterName
                continue
            }
            guard let headEnd = afterName.firstIndex(of: ">") else { break }
            if afterName[..<headEnd].hasSuffix("/") {
                out.append("")
                rest = afterName[afterName.index(after: headEnd)...]
                continue
            }
            let body = afterName[afterName.index(after: headEnd)...]
            guard let end = body.firstRange(of: close) else { break }
            out.append(String(body[..<end.lowerBound]))
            rest = body[end.upperBound...]
        }
        return out
    }

    /// Replaces `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` and numeric references; anything else stays as written.
    /// Works on Unicode scalars, not characters: a combining mark after `&` or `;` joins it into one character, and
    /// such a reference must still be read (the parser-fuzz target `ia-answer` found `&quot;` + U+0742 left as written).
    static func decodeEntities(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            guard scalar == "&",
                let semi = scalars[index..<min(scalars.count, index + 12)].firstIndex(of: ";"),
                let replacement = entity(String(String.UnicodeScalarView(scalars[index..<semi])))
            else {
                out.append(scalar)
                continue
            }
            out.append(replacement)
            index = semi + 1
        }
        return String(out)
    }

    /// The scalar an entity's name (between `&` and `;`) stands for, or nil for one this reader does not know.
    private static func entity(_ name: String) -> Unicode.Scalar? {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            guard name.hasPrefix("#") else { return nil }
            let hex = name.hasPrefix("#x") || name.hasPrefix("#X")
            let digits = name.unicodeScalars.dropFirst(hex ? 2 : 1)
            guard !digits.isEmpty,
                digits.allSatisfy({ hex ? $0.properties.isASCIIHexDigit : ("0"..."9").contains($0) }),
                let code = UInt32(String(String.UnicodeScalarView(digits)), radix: hex ? 16 : 10)
            else { return nil }
            return Unicode.Scalar(code)
        }
    }

}
