/// The encodings IA expects in URLs and header values, byte for byte as the `ia` client makes them.
enum IAEncoding {
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Python's `urllib.parse.quote(text, safe=…)` on UTF-8: letters, digits, `_.-~` and the `safe` bytes stay,
    /// every other byte becomes `%XX` (upper-case hex).
    static func quote(_ text: String, safe: String = "/") -> String {
        let safeBytes = Array(safe.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) || safeBytes.contains(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

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

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "~")
        }
    }
}
