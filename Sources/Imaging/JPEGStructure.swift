/// The marker segments of a JPEG up to its first scan, found without decoding; the scan data is left untouched.
struct JPEGStructure: Sendable {
    struct Segment: Sendable {
        let marker: UInt8
        /// Offset of the segment's `FF` marker byte.
        let start: Int
        /// Offset just past the segment.
        let end: Int
        /// Offset of the first byte after the length field (equal to `end` for markers without one).
        let payloadStart: Int
    }

    /// Segments between SOI and the first SOS, in file order.
    let segments: [Segment]
    /// Offset of the first SOS marker; everything from here to the end is copied verbatim.
    let scanStart: Int
    /// Bytes that were not part of any segment (libjpeg skips them too); they are dropped when rewriting.
    let strayBytes: Int

    static let exifSignature: [UInt8] = Array("Exif".utf8) + [0, 0]
    static let xmpSignature: [UInt8] = Array("http://ns.adobe.com/xap/1.0/".utf8) + [0]
    static let extendedXMPSignature: [UInt8] = Array("http://ns.adobe.com/xmp/extension/".utf8) + [0]
    static let iccSignature: [UInt8] = Array("ICC_PROFILE".utf8) + [0]
    /// Largest payload of one segment: the 16-bit length counts itself.
    static let maxPayload = 65_533

    /// Walks the segments of `bytes`; throws ``ImagingError`` when they cannot be walked to the first scan.
    static func parse(_ bytes: [UInt8]) throws -> JPEGStructure {
        guard !bytes.isEmpty else { throw ImagingError.jpegInput(.emptyInput, "it is empty, 0 bytes") }
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else {
            throw ImagingError.jpegInput(.notJPEG, "it does not start with a JPEG SOI marker")
        }
        var segments: [Segment] = []
        var position = 2
        var stray = 0
        while true {
            guard position < bytes.count else { throw malformed("it ends before any image data") }
            if bytes[position] != 0xFF {
                stray += 1
                position += 1
                continue
            }
            var markerAt = position + 1
            while markerAt < bytes.count, bytes[markerAt] == 0xFF { markerAt += 1 }
            guard markerAt < bytes.count else { throw malformed("it ends inside a marker") }
            let marker = bytes[markerAt]
            let start = markerAt - 1
            switch marker {
            case 0x00:
                stray += markerAt + 1 - position
                position = markerAt + 1
            case 0xDA:
                return JPEGStructure(segments: segments, scanStart: start, strayBytes: stray)
            case 0xD8, 0xD9:
                throw malformed("marker FF\(hex(marker)) at byte \(start) comes before any image data")
            case 0x01, 0xD0...0xD7:
                segments.append(Segment(marker: marker, start: start, end: markerAt + 1, payloadStart: markerAt + 1))
                position = markerAt + 1
            default:
                guard markerAt + 2 < bytes.count else { throw malformed("it ends inside a segment header") }
                let length = Int(bytes[markerAt + 1]) << 8 | Int(bytes[markerAt + 2])
                let end = markerAt + 1 + length
                guard length >= 2, end <= bytes.count else {
                    throw malformed("segment FF\(hex(marker)) at byte \(start) runs past the end of the file")
                }
                segments.append(Segment(marker: marker, start: start, end: end, payloadStart: markerAt + 3))
                position = end
            }
        }
    }

    /// Whether an EOI marker follows the first scan, i.e. the compressed data is complete.
    ///
    /// Searched from the end: a complete file has its EOI in the last bytes (or before a short trailer), so this
    /// costs nothing per image, while a forward scan would read every compressed byte.
    func hasEndOfImage(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            let first = scanStart + 2
            var index = buffer.count - 2
            while index >= first {
                if buffer[index] == 0xFF, buffer[index + 1] == 0xD9 { return true }
                index -= 1
            }
            return false
        }
    }

    func payload(_ segment: Segment, _ bytes: [UInt8]) -> ArraySlice<UInt8> {
        bytes[segment.payloadStart..<segment.end]
    }

    /// Whether `segment` is an APPn of marker `marker` whose payload begins with `signature`.
    func segment(_ segment: Segment, in bytes: [UInt8], is marker: UInt8, _ signature: [UInt8]) -> Bool {
        segment.marker == marker && payload(segment, bytes).starts(with: signature)
    }

    func isExif(_ s: Segment, _ bytes: [UInt8]) -> Bool { segment(s, in: bytes, is: 0xE1, Self.exifSignature) }
    func isXMP(_ s: Segment, _ bytes: [UInt8]) -> Bool { segment(s, in: bytes, is: 0xE1, Self.xmpSignature) }
    func isExtendedXMP(_ s: Segment, _ bytes: [UInt8]) -> Bool {
        segment(s, in: bytes, is: 0xE1, Self.extendedXMPSignature)
    }
    func isICC(_ s: Segment, _ bytes: [UInt8]) -> Bool { segment(s, in: bytes, is: 0xE2, Self.iccSignature) }

    /// The payload after `signature` of the first segment matching `test`, if any.
    func firstPayload(
        _ bytes: [UInt8], after signature: [UInt8],
        where test: (Segment, [UInt8]) -> Bool
    ) -> [UInt8]? {
        guard let found = segments.first(where: { test($0, bytes) }) else { return nil }
        return Array(payload(found, bytes).dropFirst(signature.count))
    }

    /// Rebuilds the file: SOI, leading APP0 (JFIF) segments, `inserted`, the other kept segments, then the scans.
    func assemble(_ bytes: [UInt8], inserting inserted: [[UInt8]], removing remove: (Segment) -> Bool) -> [UInt8] {
        var out: [UInt8] = [0xFF, 0xD8]
        out.reserveCapacity(bytes.count + inserted.reduce(0) { $0 + $1.count })
        var index = 0
        while index < segments.count, segments[index].marker == 0xE0 {
            out += bytes[segments[index].start..<segments[index].end]
            index += 1
        }
        for segment in inserted { out += segment }
        for segment in segments[index...] where !remove(segment) {
            out += bytes[segment.start..<segment.end]
        }
        out += bytes[scanStart...]
        return out
    }

    /// A marker segment with its length field; nil when the payload exceeds ``maxPayload``.
    static func segment(marker: UInt8, payload: [UInt8]) -> [UInt8]? {
        guard payload.count <= maxPayload else { return nil }
        let length = payload.count + 2
        return [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    private static func malformed(_ reason: String) -> ImagingError {
        ImagingError.jpegInput(.malformedJPEG, reason)
    }
}

/// Two uppercase hex digits.
func hex(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16, uppercase: true)
    return byte < 16 ? "0" + digits : digits
}
