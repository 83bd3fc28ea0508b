import Essentials
/// The encodings IA expects in URLs and header values, byte for byte as the `ia` client makes them.
enum IAEncoding {
    /// Python's `urllib.parse.quote(text, safe=…)` on UTF-8: letters, digits, `_.-~` and the `safe` bytes stay,
    /// every other byte becomes `%XX` (upper-case hex).
    static func quote(_ text: String, safe: String = "/") -> String { PercentEncoding.encode(text, keeping: safe) }

    /// A metadata value as a header value: as it is when it is plain printable ASCII without whitespace,
    /// else `uri(` + `quote(value)` + `)`. The result never holds CR, LF or any other control character.
    static func headerValue(_ value: String) -> String {
        needsURI(value) ? "uri(" + quote(value) + ")" : value
    }

    /// True for values the `ia` client sends as `uri(…)` (non-ASCII, any whitespace), and for every control
    /// character, which must never reach a header as it is.
    static func needsURI(_ value: String) -> Bool {
        value.unicodeScalars.contains { scalar in
            scalar.value < 0x21 || scalar.value >= 0x7F || scalar.properties.isWhitespace
        }
    }
}
