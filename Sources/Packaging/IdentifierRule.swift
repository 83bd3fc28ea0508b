import Essentials

/// Internet Archive identifiers: `^[a-zA-Z0-9][a-zA-Z0-9_.-]{4,100}$`, and the Mapillary item
/// names built from them.
///
/// Mapping rule for usernames (used in `mapillary-{user}-{quality}[-webp]`): a username made only
/// of letters, digits, `_`, `.` and `-` is kept as it is, so identifiers match the Python tool's.
/// Any other username becomes: each run of other characters replaced by one `_`, then `-` and the
/// first 8 hex digits of the MD5 of the username's UTF-8 bytes (so two different names never map
/// to the same identifier), with the replaced part cut short when needed so the whole identifier
/// fits in 101 characters. Example: `Zoë Smith` → `Zo_Smith-` + 8 hex digits. The real username
/// stays in the item's `mapillary_user` metadata.
public enum IdentifierRule {
    /// The shortest and longest identifier IA accepts.
    public static let minLength = 5
    public static let maxLength = 101

    /// The qualities Mapillary serves, as they appear in identifiers.
    public static let qualities = ["256", "1024", "2048", "original"]

    /// Why `identifier` is not a valid IA identifier (one sentence), or nil when it is valid.
    public static func validate(_ identifier: String) -> String? {
        let shown = MemberName.printable(identifier)
        let characters = Array(identifier)
        if characters.isEmpty { return "the identifier is empty; IA identifiers need 5 to 101 characters" }
        if let first = characters.first, !isAllowed(first) || first == "_" || first == "." || first == "-" {
            return
                "the identifier '\(shown)' must start with a letter or digit, not '\(MemberName.printable(String(first)))'"
        }
        for (offset, character) in characters.enumerated() where !isAllowed(character) {
            return
                "the identifier '\(shown)' contains '\(MemberName.printable(String(character)))' at position \(offset + 1); IA allows only letters, digits, '_', '.' and '-'"
        }
        if characters.count < minLength {
            return
                "the identifier '\(shown)' is too short (\(characters.count) characters); IA needs at least \(minLength)"
        }
        if characters.count > maxLength {
            return
                "the identifier '\(shown.prefix(40))…' is too long (\(characters.count) characters); IA allows at most \(maxLength)"
        }
        return nil
    }

    /// The item identifier for a user's images: `mapillary-{user}-{quality}` plus `-webp` when converted,
    /// with the username mapped as described above when IA would refuse it.
    public static func mapillaryIdentifier(user: String, quality: String, webp: Bool) -> String {
        let suffix = "-" + quality + (webp ? "-webp" : "")
        let plain = "mapillary-" + user + suffix
        if !user.isEmpty && validate(plain) == nil { return plain }
        let hash = "-" + String(MD5.hex(of: Array(user.utf8)).prefix(8))
        var safe = ""
        var inRun = false
        for character in user {
            if isAllowed(character) {
                safe.append(character)
                inRun = false
            } else if !inRun {
                safe.append("_")
                inRun = true
            }
        }
        let budget = maxLength - "mapillary-".count - hash.count - suffix.count
        return "mapillary-" + String(safe.prefix(max(0, budget))) + hash + suffix
    }

    /// The parts of a `mapillary-{user}-{quality}[-webp]` identifier (the Python tool's
    /// `parse_collection_name`), or nil when the name does not have that shape.
    public static func parseMapillary(_ identifier: String) -> (user: String, quality: String, webp: Bool)? {
        guard identifier.hasPrefix("mapillary-") else { return nil }
        var rest = Substring(identifier.dropFirst("mapillary-".count))
        let webp = rest.hasSuffix("-webp")
        if webp { rest = rest.dropLast("-webp".count) }
        for quality in qualities where rest.hasSuffix("-" + quality) {
            let user = rest.dropLast(quality.count + 1)
            if !user.isEmpty { return (String(user), quality, webp) }
        }
        return nil
    }

    private static func isAllowed(_ character: Character) -> Bool {
        guard character.isASCII, let byte = character.asciiValue else { return false }
        return MemberName.isSafe(byte) && byte != UInt8(ascii: "/")
    }
}
