/// A JPEG reader of its own: the marker segments before the scan, and the scan itself.
enum JPEGSegments {
    /// The JPEG without its APP0…APP15 segments (everything else, entropy-coded data included, as is);
    /// nil when the bytes are not a JPEG.
    static func strippingAPPn(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var out: [UInt8] = [0xFF, 0xD8]
        var i = 2
        while i + 1 < bytes.count {
            guard bytes[i] == 0xFF else { return nil }
            while i < bytes.count && bytes[i] == 0xFF { i += 1 }
            guard i < bytes.count else { return nil }
            let marker = bytes[i]
            i += 1
            if marker == 0xDA {
                return out + [0xFF, 0xDA] + bytes[i...]
            }
            if marker == 0x01 || (0xD0...0xD7).contains(marker) {
                out += [0xFF, marker]
                continue
            }
            guard i + 1 < bytes.count else { return nil }
            let length = Int(bytes[i]) << 8 | Int(bytes[i + 1])
            guard length >= 2, i + length <= bytes.count else { return nil }
            if !(0xE0...0xEF).contains(marker) {
                out += [0xFF, marker] + bytes[i..<(i + length)]
            }
            i += length
        }
        return nil
    }
}
