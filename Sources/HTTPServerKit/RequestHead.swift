/// A parsed request line and header block, checked the way a strict HTTP/1.1 server checks them.
struct RequestHead {
    /// Why a head was refused, as the status to answer with.
    struct Refusal: Error {
        let status: Int
        let reason: String
    }

    enum Framing: Equatable {
        case none
        case length(Int64)
        case chunked
    }

    let method: String
    let target: String
    let version: String
    /// Names lowercased, in order, duplicates kept.
    let headers: [(name: String, value: String)]
    let framing: Framing
    /// The framing was ambiguous (Transfer-Encoding with Content-Length): close after this request.
    let mustClose: Bool

    /// Parses `bytes` (the head without its final blank line; LF or CRLF line ends).
    static func parse(_ bytes: [UInt8]) throws(Refusal) -> RequestHead {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = 0
        for index in bytes.indices where bytes[index] == 10 {
            lines.append(trimCR(bytes[lineStart..<index]))
            lineStart = index + 1
        }
        if lineStart < bytes.count { lines.append(trimCR(bytes[lineStart...])) }
        guard let requestLine = lines.first else { throw Refusal(status: 400, reason: "empty request") }

        let parts = requestLine.split(separator: 32, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw Refusal(status: 400, reason: "malformed request line") }
        let method = String(decoding: parts[0], as: UTF8.self)
        let target = String(decoding: parts[1], as: UTF8.self)
        let version = String(decoding: parts[2], as: UTF8.self)
        guard isToken(parts[0]) else { throw Refusal(status: 400, reason: "malformed method") }
        guard !parts[1].isEmpty, !parts[1].contains(where: { $0 <= 32 || $0 == 127 }) else {
            throw Refusal(status: 400, reason: "malformed request target")
        }
        let versionBytes = Array(parts[2])
        guard versionBytes.count == 8, versionBytes.starts(with: Array("HTTP/".utf8)),
            (48...57).contains(versionBytes[5]), versionBytes[6] == 46, (48...57).contains(versionBytes[7])
        else {
            throw Refusal(status: 400, reason: "malformed HTTP version")
        }
        guard versionBytes[5] == 49 else { throw Refusal(status: 505, reason: "only HTTP/1.x is supported") }

        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let first = line.first else { continue }
            if first == 32 || first == 9 { throw Refusal(status: 400, reason: "folded header lines are not allowed") }
            guard let colon = line.firstIndex(of: 58) else {
                throw Refusal(status: 400, reason: "header line without colon")
            }
            let nameBytes = line[line.startIndex..<colon]
            guard isToken(nameBytes) else { throw Refusal(status: 400, reason: "malformed header name") }
            var valueBytes = line[(colon + 1)...]
            while let byte = valueBytes.first, byte == 32 || byte == 9 { valueBytes = valueBytes.dropFirst() }
            while let byte = valueBytes.last, byte == 32 || byte == 9 { valueBytes = valueBytes.dropLast() }
            guard !valueBytes.contains(where: { ($0 < 32 && $0 != 9) || $0 == 127 }) else {
                throw Refusal(status: 400, reason: "control character in a header value")
            }
            let name = String(decoding: nameBytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
            headers.append((name, String(decoding: valueBytes, as: UTF8.self)))
        }
        let (framing, mustClose) = try framing(of: headers)
        return RequestHead(
            method: method, target: target, version: version, headers: headers,
            framing: framing, mustClose: mustClose)
    }

    /// Body framing per RFC 9112 §6: Transfer-Encoding (chunked last) wins over Content-Length, which must agree.
    private static func framing(of headers: [(name: String, value: String)]) throws(Refusal) -> (Framing, Bool) {
        var codings: [String] = []
        var lengths: [Int64] = []
        for (name, value) in headers {
            if name == "transfer-encoding" {
                codings += value.split(separator: ",").map { trimmed($0).lowercased() }.filter { !$0.isEmpty }
            } else if name == "content-length" {
                for piece in value.split(separator: ",", omittingEmptySubsequences: false) {
                    let digits = trimmed(piece)
                    guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                        let length = Int64(digits)
                    else {
                        throw Refusal(status: 400, reason: "malformed Content-Length")
                    }
                    lengths.append(length)
                }
            }
        }
        if !codings.isEmpty {
            guard codings.last == "chunked" else { throw Refusal(status: 501, reason: "unsupported transfer coding") }
            guard codings.allSatisfy({ $0 == "chunked" || $0 == "identity" }) else {
                throw Refusal(status: 501, reason: "unsupported transfer coding")
            }
            return (.chunked, !lengths.isEmpty)
        }
        guard let length = lengths.first else { return (.none, false) }
        guard lengths.allSatisfy({ $0 == length }) else {
            throw Refusal(status: 400, reason: "conflicting Content-Length")
        }
        return (length == 0 ? .none : .length(length), false)
    }

    private static func trimmed(_ text: Substring) -> String {
        var slice = text
        while let c = slice.first, c == " " || c == "\t" { slice = slice.dropFirst() }
        while let c = slice.last, c == " " || c == "\t" { slice = slice.dropLast() }
        return String(slice)
    }

    private static func trimCR(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.last == 13 ? line.dropLast() : line
    }

    private static func isToken(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case 48...57, 65...90, 97...122: return true
            default: return "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }
}
