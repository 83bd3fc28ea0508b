/// Big-endian TIFF blocks written byte by byte, for layouts ExifBuilder will not produce (IFD1, damage).
enum HandTIFF {
    static func u16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    static func u32(_ v: Int) -> [UInt8] { u16(v >> 16 & 0xFFFF) + u16(v & 0xFFFF) }
    static func entry(_ tag: Int, _ type: Int, _ count: Int, _ value: [UInt8]) -> [UInt8] {
        u16(tag) + u16(type) + u32(count) + value + [UInt8](repeating: 0, count: max(0, 4 - value.count))
    }
    static func header(firstIFD: Int = 8) -> [UInt8] { [0x4D, 0x4D, 0, 42] + u32(firstIFD) }

    /// IFD0 (Make, Orientation 6) chained to IFD1 (Compression 6, Orientation 3).
    static func withThumbnailOrientation() -> [UInt8] {
        let makeData = Array("Canon".utf8) + [0]
        let ifd0 = u16(2) + entry(0x010F, 2, makeData.count, u32(8 + 30 + 30)) + entry(0x0112, 3, 1, u16(6)) + u32(38)
        let ifd1 = u16(2) + entry(0x0103, 3, 1, u16(6)) + entry(0x0112, 3, 1, u16(3)) + u32(0)
        return header() + ifd0 + ifd1 + makeData
    }

    /// A one-entry IFD0 at 8 holding Model "Cam" inline, with `next` as its next-IFD offset.
    static func singleEntry(next: Int = 0) -> [UInt8] {
        header() + u16(1) + entry(0x0110, 2, 4, Array("Cam".utf8) + [0]) + u32(next)
    }
}
