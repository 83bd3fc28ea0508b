/// The one rule for Mapillary usernames wherever they come in: the command line, `--users-file`, `queue add`, a
/// library caller's `DownloadBatch`. A username becomes an API query value, an item identifier, `.meta` values and
/// log lines, so it must be one line of plain text. Anything else is still accepted: the identifier maps what IA
/// would refuse (`IdentifierRule`).
public enum MapillaryUsername {
    /// The longest username accepted, in characters (no Mapillary username is longer).
    public static let maximumLength = 100

    /// Why `name` cannot be a username (one sentence naming it and the fix), or nil when it can.
    /// Refused: an empty name, control, line-breaking or invisible formatting characters (a newline would forge log
    /// lines; a bidi override would disguise them), spaces at either end, a `/` (a profile URL pasted instead of
    /// the name), and more than ``maximumLength`` characters.
    public static func problem(_ name: String) -> String? {
        let shown = MapillaryError.sanitized(name, limit: 80)
        if name.isEmpty {
            return "a username is empty; give the Mapillary username (as in https://www.mapillary.com/app/user/NAME)"
        }
        for (offset, scalar) in name.unicodeScalars.enumerated() where isRefused(scalar) {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            return "the username \"\(shown)\" contains the control or formatting character \(code) at position "
                + "\(offset + 1); a username is one line of plain text, so check where it came from"
        }
        if name.first?.isWhitespace == true || name.last?.isWhitespace == true {
            return "the username \"\(shown)\" starts or ends with a space; remove it"
        }
        if name.contains("/") {
            return "the username \"\(shown)\" contains '/', which no Mapillary username has; give the name, not a URL"
        }
        if name.count > maximumLength {
            return "the username \"\(shown)\" is longer than \(maximumLength) characters; no Mapillary username is"
        }
        return nil
    }

    private static func isRefused(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
}
