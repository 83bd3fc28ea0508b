/// Text made safe inside XML or HTML, and read back from it: names, keys and sentences come from outside (the API, IA,
/// the network), and a `<` in one must never become markup. Escaped text fits element content and quoted attribute
/// values; the apostrophe is written `&#39;`, which both languages read.
public enum MarkupText {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Replaces `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` and numeric references; anything else stays as written.
    /// Works on Unicode scalars, not characters: a combining mark after `&` or `;` joins it into one character, and
    /// such a reference must still be read (the parser-fuzz target `ia-answer`
    /// found `&quot;` + U+0742 left as written in an IAS3 answer).
    public static func decode(_ text: String) -> String {
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
