/// Text made safe inside XML or HTML, as element content or a quoted attribute value: names, keys and sentences
/// come from outside (the API, IA, the network), and a `<` in one must never become markup. The apostrophe is written
/// `&#39;`, which both languages read.
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
}
