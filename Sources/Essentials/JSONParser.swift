/// The one JSON reader: strict, over bytes, for untrusted input (API answers, stored records). Besides whole
/// documents it has the primitives a streaming scanner needs: it can skip a value without building it and report
/// where each value starts and ends, so a page's records keep their raw bytes.
///
/// Malformed input throws ``JSONError`` (a sentence with the byte offset), never traps; nesting deeper than
/// ``maximumDepth`` is refused (untrusted input must not exhaust the stack).
public struct JSONParser {
    public static let maximumDepth = 64

    public let bytes: [UInt8]
    public private(set) var index: Int

    public init(_ bytes: [UInt8], from start: Int = 0) {
        self.bytes = bytes
        self.index = start
    }

    /// Parses one whole document: one value and nothing but whitespace after it.
    public static func parseDocument(_ bytes: [UInt8]) throws -> JSONValue {
        var parser = JSONParser(bytes)
        parser.skipByteOrderMark()
        let value = try parser.parseValue()
        try parser.expectEnd()
        return value
    }

    // MARK: primitives

    public mutating func skipByteOrderMark() {
        if bytes.count >= index + 3, bytes[index] == 0xEF, bytes[index + 1] == 0xBB, bytes[index + 2] == 0xBF {
            index += 3
        }
    }

    public mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// The next non-whitespace byte, not consumed; nil at the end.
    public mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < bytes.count ? bytes[index] : nil
    }

    /// Consumes `byte` (after whitespace) or throws.
    public mutating func expect(_ byte: UInt8) throws {
        guard peek() == byte else { throw syntaxError("expected '\(Character(Unicode.Scalar(byte)))'") }
        index += 1
    }

    /// Consumes `byte` when it is next; returns whether it was.
    public mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    public mutating func expectEnd() throws {
        skipWhitespace()
        guard index == bytes.count else { throw syntaxError("unexpected bytes after the value") }
    }

    func syntaxError(_ what: String) -> JSONError {
        JSONError(offset: index, problem: what)
    }

    // MARK: values

    public mutating func parseValue(depth: Int = 0) throws -> JSONValue {
        guard depth < Self.maximumDepth else { throw syntaxError("nested deeper than \(Self.maximumDepth) levels") }
        guard let byte = peek() else { throw syntaxError("unexpected end") }
        switch byte {
        case UInt8(ascii: "{"):
            index += 1
            var members: [String: JSONValue] = [:]
            if consume(UInt8(ascii: "}")) { return .object(members) }
            repeat {
                let key = try parseString()
                try expect(UInt8(ascii: ":"))
                members[key] = try parseValue(depth: depth + 1)
            } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "}"))
            return .object(members)
        case UInt8(ascii: "["):
            index += 1
            var elements: [JSONValue] = []
            if consume(UInt8(ascii: "]")) { return .array(elements) }
            repeat {
                elements.append(try parseValue(depth: depth + 1))
            } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"))
            return .array(elements)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default:
            return .number(try parseNumber())
        }
    }

    /// Validates and steps over one value without building it.
    public mutating func skipValue(depth: Int = 0) throws {
        guard depth < Self.maximumDepth else { throw syntaxError("nested deeper than \(Self.maximumDepth) levels") }
        guard let byte = peek() else { throw syntaxError("unexpected end") }
        switch byte {
        case UInt8(ascii: "{"):
            index += 1
            if consume(UInt8(ascii: "}")) { return }
            repeat {
                try skipString()
                try expect(UInt8(ascii: ":"))
                try skipValue(depth: depth + 1)
            } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            index += 1
            if consume(UInt8(ascii: "]")) { return }
            repeat { try skipValue(depth: depth + 1) } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"))
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try parseNumber()
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw syntaxError("unexpected end") }
        let matches = word.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw syntaxError("unknown literal") }
        index += count
    }

    /// Steps over a number and returns its literal, checked against JSON's grammar and readable as a `Double`.
    private mutating func parseNumber() throws -> String {
        let start = index
        func digits() -> Int {
            let from = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            return index - from
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let intStart = index
        guard digits() > 0 else { throw syntaxError("expected a value") }
        if bytes[intStart] == 0x30, index - intStart > 1 { throw syntaxError("leading zero in a number") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw syntaxError("expected digits after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digits() > 0 else { throw syntaxError("expected digits in an exponent") }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard Double(text) != nil else { throw syntaxError("unreadable number") }
        return text
    }

    /// Steps over a string, checking its escapes, without decoding it.
    public mutating func skipString() throws {
        guard peek() == UInt8(ascii: "\"") else { throw syntaxError("expected a string") }
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                if escape == UInt8(ascii: "u") {
                    _ = try hexQuad()
                } else if !Self.simpleEscapes.keys.contains(escape) {
                    throw syntaxError("unknown escape in a string")
                }
            case 0x00..<0x20: throw syntaxError("raw control character in a string")
            default: continue
            }
        }
        throw syntaxError("unterminated string")
    }

    public mutating func parseString() throws -> String {
        guard peek() == UInt8(ascii: "\"") else { throw syntaxError("expected a string") }
        index += 1
        var out: [UInt8] = []
        var runStart = index
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                out.append(contentsOf: bytes[runStart..<index])
                index += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                out.append(contentsOf: bytes[runStart..<index])
                index += 1
                guard index < bytes.count else { throw syntaxError("unterminated string") }
                let escape = bytes[index]
                index += 1
                if escape == UInt8(ascii: "u") {
                    appendScalar(try unicodeEscape(), to: &out)
                } else if let plain = Self.simpleEscapes[escape] {
                    out.append(plain)
                } else {
                    throw syntaxError("unknown escape in a string")
                }
                runStart = index
            case 0x00..<0x20:
                throw syntaxError("raw control character in a string")
            default:
                index += 1
            }
        }
        throw syntaxError("unterminated string")
    }

    private static let simpleEscapes: [UInt8: UInt8] = [
        UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
        UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
    ]

    private mutating func hexQuad() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw syntaxError("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case 0x30...0x39: digit = UInt32(b - 0x30)
            case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
            default: throw syntaxError("bad hex digit in a \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// Decodes `\uXXXX`, joining surrogate pairs; a lone surrogate becomes U+FFFD.
    private mutating func unicodeEscape() throws -> Unicode.Scalar {
        let first = try hexQuad()
        if (0xD800..<0xDC00).contains(first), index + 6 <= bytes.count,
            bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
        {
            let save = index
            index += 2
            let second = try hexQuad()
            if (0xDC00..<0xE000).contains(second) {
                let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                return Unicode.Scalar(combined) ?? "\u{FFFD}"
            }
            index = save
        }
        return Unicode.Scalar(first) ?? "\u{FFFD}"
    }

    private func appendScalar(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        out.append(contentsOf: String(Character(scalar)).utf8)
    }
}
