import Essentials
/// Decoding of request-target parts. Malformed escapes stay as written; invalid UTF-8 becomes U+FFFD.
enum PercentDecoding {
    /// Decodes `%XX` escapes; with `plusIsSpace`, `+` becomes a space (query strings).
    static func decode(_ text: Substring, plusIsSpace: Bool) -> String {
        PercentEncoding.decode(text, plusIsSpace: plusIsSpace)
    }

    /// Splits a query string into decoded pairs, in order; empty pieces are skipped, a missing `=` gives "".
    static func queryPairs(_ query: Substring) -> [(name: String, value: String)] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { piece in
            if let equals = piece.firstIndex(of: "=") {
                return (
                    decode(piece[..<equals], plusIsSpace: true),
                    decode(piece[piece.index(after: equals)...], plusIsSpace: true)
                )
            }
            return (decode(piece, plusIsSpace: true), "")
        }
    }

}
