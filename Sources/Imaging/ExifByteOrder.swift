/// The byte order of a TIFF/EXIF block: `MM` (big-endian, most cameras) or `II` (little-endian).
public enum ExifByteOrder: Sendable, Equatable {
    case bigEndian
    case littleEndian

    /// The two header bytes, `MM` or `II`.
    var marker: [UInt8] { self == .bigEndian ? [0x4D, 0x4D] : [0x49, 0x49] }

    func append(_ value: UInt16, to bytes: inout [UInt8]) {
        if self == .bigEndian {
            bytes.append(UInt8(value >> 8)); bytes.append(UInt8(value & 0xFF))
        } else {
            bytes.append(UInt8(value & 0xFF)); bytes.append(UInt8(value >> 8))
        }
    }

    func append(_ value: UInt32, to bytes: inout [UInt8]) {
        if self == .bigEndian {
            append(UInt16(value >> 16), to: &bytes); append(UInt16(value & 0xFFFF), to: &bytes)
        } else {
            append(UInt16(value & 0xFFFF), to: &bytes); append(UInt16(value >> 16), to: &bytes)
        }
    }

    /// Overwrites four bytes at `offset` with `value`.
    func put(_ value: UInt32, into bytes: inout [UInt8], at offset: Int) {
        var four: [UInt8] = []
        four.reserveCapacity(4)
        append(value, to: &four)
        bytes.replaceSubrange(offset..<offset + 4, with: four)
    }

    /// Reads two bytes at `offset`; the caller has checked the bounds.
    func uint16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
        let a = UInt16(bytes[offset]), b = UInt16(bytes[offset + 1])
        return self == .bigEndian ? a << 8 | b : b << 8 | a
    }

    /// Reads four bytes at `offset`; the caller has checked the bounds.
    func uint32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        let hi = UInt32(uint16(bytes, offset)), lo = UInt32(uint16(bytes, offset + 2))
        return self == .bigEndian ? hi << 16 | lo : lo << 16 | hi
    }
}
