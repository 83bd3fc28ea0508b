/// Which usernames `queue add` accepts. The download pipeline maps any username to a safe identifier
/// (`IdentifierRule`), so only what cannot be a Mapillary username is refused: an empty name, spaces around
/// it, control characters, a `/`, or more than 100 characters.
public enum UsernameRule {
    public static let maxLength = 100

    /// Why `username` is refused (one sentence), or nil when it is accepted.
    public static func problem(with username: String) -> String? {
        let shown = String(String(username.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) }).prefix(40))
        if username.isEmpty { return "a username is empty; give Mapillary usernames as they appear in their profile URLs" }
        if username.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }) {
            return "the username '\(shown)' holds control characters; give it as it appears in the profile URL"
        }
        if username.first!.isWhitespace || username.last!.isWhitespace {
            return "the username '\(shown)' starts or ends with a space; give it as it appears in the profile URL"
        }
        if username.contains("/") {
            return "the username '\(shown)' contains '/', which no Mapillary username has; give the name, not a URL"
        }
        if username.count > maxLength {
            return "the username '\(shown)…' is longer than \(maxLength) characters; no Mapillary username is"
        }
        return nil
    }
}
