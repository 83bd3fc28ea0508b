/// Decoding of request-target parts. Malformed escapes stay as written; invalid UTF-8 becomes U+FFFD.
enum PercentDecoding {
    /// Decodes `%XX` escapes; with `plusIsSpace`, `+` becomes a space (query strings).
    static func decode(_ text: Substring, plusIsSpace: Bool) -> String {
        let bytes = Array(text.utf8)
        guard bytes.contains(where: { $0 == 37 || (plusIsSpace && $0 == 43) }) else { return String(text) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 37, i + 2 < bytes.count, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(plusIsSpace && byte == 43 ? 32 : byte)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Splits a query string into decoded pairs, in order; empty pieces are skipped, a missing `=` gives "".
    static func queryPairs(_ query: Substring) -> [(name: String, value: String)] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { piece in
            if let equals = piece.firstIndex(of: "=") {
                return (decode(piece[..<equals], plusIsSpace: true),
                        decode(piece[piece.index(after: equals)...], plusIsSpace: true))
            }
            return (decode(piece, plusIsSpace: true), "")
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: return byte - 48
        case 65...70: return byte - 55
        case 97...102: return byte - 87
        default: return nil
        }
    }
}
