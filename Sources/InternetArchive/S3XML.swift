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
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            guard let semi = after.prefix(12).firstIndex(of: ";") else {
                out += "&"
                rest = after
                continue
            }
            let name = after[..<semi]
            var replacement: String?
            switch name {
            case "amp": replacement = "&"
            case "lt": replacement = "<"
            case "gt": replacement = ">"
            case "quot": replacement = "\""
            case "apos": replacement = "'"
            default:
                if name.hasPrefix("#x") || name.hasPrefix("#X"), let code = UInt32(name.dropFirst(2), radix: 16) {
                    replacement = Unicode.Scalar(code).map { String(Character($0)) }
                } else if name.hasPrefix("#"), let code = UInt32(name.dropFirst()) {
                    replacement = Unicode.Scalar(code).map { String(Character($0)) }
                }
            }
            if let replacement {
                out += replacement
                rest = after[after.index(after: semi)...]
            } else {
                out += "&"
                rest = after
            }
        }
        out += rest
        return out
    }

}
