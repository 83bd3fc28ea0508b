/// A small but valid ICC v2 display profile whose description exiftool can read, padded to split across APP2 chunks.
enum ICCFixture {
    static let description = "Imaging Test RGB"

    static func profile(padding: Int = 0) -> [UInt8] {
        func u32(_ v: Int) -> [UInt8] {
            [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
        }
        func sig(_ s: String) -> [UInt8] { Array(s.utf8) }
        let ascii = Array(description.utf8) + [0]
        var desc = sig("desc") + u32(0) + u32(ascii.count) + ascii + u32(0) + u32(0) + [0, 0, 0]
        desc += [UInt8](repeating: 0, count: 67)
        while desc.count % 4 != 0 { desc.append(0) }
        let padded = [UInt8](repeating: 0x5A, count: padding)
        var tags: [(String, [UInt8])] = [("desc", desc)]
        if padding > 0 { tags.append(("zzzz", padded)) }
        let tableSize = 4 + 12 * tags.count
        var offset = 128 + tableSize
        var table = u32(tags.count)
        var data: [UInt8] = []
        for (name, bytes) in tags {
            table += sig(name) + u32(offset) + u32(bytes.count)
            data += bytes
            offset += bytes.count
        }
        let total = 128 + tableSize + data.count
        var header = u32(total) + sig("none") + [0x02, 0x10, 0, 0] + sig("mntr") + sig("RGB ") + sig("XYZ ")
        header += [0x07, 0xE8, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]  // 2024-01-01 00:00:00
        header += sig("acsp") + sig("APPL") + u32(0) + sig("none") + u32(0) + [UInt8](repeating: 0, count: 8)
        header += u32(0) + [0, 0, 0xF6, 0xD6, 0, 1, 0, 0, 0, 0, 0xD3, 0x2D] + sig("none")
        header += [UInt8](repeating: 0, count: 128 - header.count)
        return header + table + data
    }

    /// The profile as APP2 `ICC_PROFILE` segments of at most `chunk` data bytes each.
    static func segments(_ profile: [UInt8], chunk: Int = 65_000) -> [[UInt8]] {
        let pieces = stride(from: 0, to: profile.count, by: chunk).map {
            Array(profile[$0..<min(profile.count, $0 + chunk)])
        }
        return pieces.enumerated().map { index, piece in
            let payload = Array("ICC_PROFILE".utf8) + [0, UInt8(index + 1), UInt8(pieces.count)] + piece
            let length = payload.count + 2
            return [0xFF, 0xE2, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        }
    }
}
