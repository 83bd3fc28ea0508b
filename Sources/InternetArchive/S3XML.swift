import Essentials

/// Just enough XML for IAS3's small answers: the text of named elements, entity-decoded.
/// Elements may carry attributes (`xmlns`); namespaces prefixes are not supported (IA sends none).
enum S3XML {
    /// The text of the first `<tag>` element (`<tag/>` gives ""), or nil when there is none.
    static func value(_ tag: String, in text: String) -> String? {
        blocks(tag, in: text).first.map(MarkupText.decode)
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
}
