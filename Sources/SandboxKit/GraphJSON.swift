import Synchronization

/// Writes the JSON the fake Graph API answers with: compact, members in the order given.
struct GraphJSON {
    private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    mutating func beginObject() { valuePrefix(); bytes.append(UInt8(ascii: "{")); needsComma.append(false) }
    mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma.removeLast() }
    mutating func beginArray() { valuePrefix(); bytes.append(UInt8(ascii: "[")); needsComma.append(false) }
    mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma.removeLast() }

    /// Writes `"key":`; the next value written belongs to it.
    mutating func key(_ key: String) {
        valuePrefix()
        Self.appendQuoted(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        if !needsComma.isEmpty { needsComma[needsComma.count - 1] = false }
        pendingMember = true
    }

    mutating func string(_ value: String) { valuePrefix(); Self.appendQuoted(value, to: &bytes) }
    mutating func number(_ value: Double) { valuePrefix(); bytes.append(contentsOf: Self.numberText(value).utf8) }
    mutating func integer(_ value: Int64) { valuePrefix(); bytes.append(contentsOf: String(value).utf8) }
    mutating func bool(_ value: Bool) { valuePrefix(); bytes.append(contentsOf: (value ? "true" : "false").utf8) }

    /// Appends already-encoded JSON as one value.
    mutating func raw(_ json: [UInt8]) { valuePrefix(); bytes.append(contentsOf: json) }

    private var pendingMember = false

    private mutating func valuePrefix() {
        if pendingMember {
            pendingMember = false
        } else if let last = needsComma.last, last {
            bytes.append(UInt8(ascii: ","))
        }
        if !needsComma.isEmpty { needsComma[needsComma.count - 1] = true }
    }

    /// Integral values without a fraction (`4294967281`), others in Swift's shortest exact form.
    static func numberText(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let traceCounter = Atomic<UInt64>(0)

    /// A Graph error body: `{"error":{"message","type","code"[,"error_subcode"][,"is_transient"],"fbtrace_id"}}`.
    static func error(
        message: String, type: String = "OAuthException", code: Int, subcode: Int? = nil,
        isTransient: Bool? = nil
    ) -> [UInt8] {
        var json = GraphJSON()
        json.beginObject()
        json.key("error")
        json.beginObject()
        json.key("message"); json.string(message)
        json.key("type"); json.string(type)
        json.key("code"); json.integer(Int64(code))
        if let subcode { json.key("error_subcode"); json.integer(Int64(subcode)) }
        if let isTransient { json.key("is_transient"); json.bool(isTransient) }
        var random = SandboxRandom(seed: traceCounter.add(1, ordering: .relaxed).newValue, "fbtrace")
        json.key("fbtrace_id"); json.string(random.base62(11))
        json.endObject()
        json.endObject()
        return json.bytes
    }
}
