/// Base64 with the URL alphabet and no padding.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let chunk = Array(bytes[i..<min(i + 3, bytes.count)])
            let n = chunk.count
            let value = (UInt32(chunk[0]) << 16) | (n > 1 ? UInt32(chunk[1]) << 8 : 0) | (n > 2 ? UInt32(chunk[2]) : 0)
            for k in 0...n { out.append(alphabet[Int((value >> UInt32(18 - 6 * k)) & 63)]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        for byte in text.utf8 {
            guard let index = alphabet.firstIndex(of: byte) else { return nil }
            values.append(UInt8(index))
        }
        guard values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < values.count {
            let group = Array(values[i..<min(i + 4, values.count)])
            var value: UInt32 = 0
            for k in 0..<4 { value = value << 6 | (k < group.count ? UInt32(group[k]) : 0) }
            for k in 0..<(group.count - 1) { out.append(UInt8(truncatingIfNeeded: value >> UInt32(16 - 8 * k))) }
            i += 4
        }
        return out
    }
}
