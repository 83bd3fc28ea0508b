/// One HTTP header field. Names compare case-insensitively where the API says so; order and duplicates are kept.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// True when `name` matches this header's name, ignoring ASCII case.
    public func hasName(_ other: String) -> Bool {
        HTTPHeader.namesMatch(name, other)
    }

    /// ASCII case-insensitive comparison of two header names.
    static func namesMatch(_ a: String, _ b: String) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        for (p, q) in zip(x, y) where p != q {
            let lp = (p >= 65 && p <= 90) ? p + 32 : p
            let lq = (q >= 65 && q <= 90) ? q + 32 : q
            if lp != lq { return false }
        }
        return true
    }

    /// True when `text` is a non-empty RFC 9110 token (method names, header names).
    static func isToken(_ text: String) -> Bool {
        guard !text.isEmpty else { return false }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                continue
            default:
                if !"!#$%&'*+-.^_`|~".utf8.contains(byte) { return false }
            }
        }
        return true
    }

    /// True when `text` can be sent as a header value (no CR, LF or NUL).
    static func isValidValue(_ text: String) -> Bool {
        !text.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
    }
}
