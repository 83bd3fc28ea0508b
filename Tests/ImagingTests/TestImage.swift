import Imaging
import TestSupport

/// Generated JPEGs for the tests: a smooth colour pattern, optionally with camera EXIF, maker note and ICC profile.
enum TestImage {
    /// Packed RGB: red rises left to right, green top to bottom, blue is constant.
    static func rgb(width: Int, height: Int, blue: UInt8 = 96) -> [UInt8] {
        var pixels = [UInt8](repeating: blue, count: width * height * 3)
        pixels.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                for x in 0..<width {
                    let at = (y * width + x) * 3
                    out[at] = UInt8(x * 255 / max(1, width - 1))
                    out[at + 1] = UInt8(y * 255 / max(1, height - 1))
                }
            }
        }
        return pixels
    }

    /// A plain JPEG (JFIF, no EXIF).
    static func jpeg(
        width: Int = 96, height: Int = 64, subsampling: JPEGEncoder.Subsampling = .s420,
        segments: [[UInt8]] = []
    ) throws -> [UInt8] {
        try JPEGEncoder.encode(
            rgb: rgb(width: width, height: height), width: width, height: height, quality: 90,
            subsampling: subsampling, segments: segments)
    }

    /// The camera tags every camera fixture carries.
    static func cameraExif(orientation: UInt16 = 6, byteOrder: ExifByteOrder = .bigEndian) -> ExifBuilder {
        var exif = ExifBuilder(byteOrder: byteOrder)
        exif[.make] = .ascii("Canon")
        exif[.model] = .ascii("Canon EOS Test")
        exif[.orientation] = .short([orientation])
        exif[.software] = .ascii("Firmware 1.0.2")
        exif[.dateTimeOriginal] = .ascii("2019:07:04 09:15:00")
        exif[.exposureTime] = .rational([ExifRational(1, 250)])
        exif[.fNumber] = .rational([ExifRational(28, 10)])
        exif[.isoSpeed] = .short([200])
        exif[.lensModel] = .ascii("EF 24-105mm")
        exif[.gpsLatitudeRef] = .ascii("N")
        exif[.gpsLatitude] = .rational([ExifRational(1, 1), ExifRational(2, 1), ExifRational(3, 1)])
        exif[.gpsLongitudeRef] = .ascii("E")
        exif[.gpsLongitude] = .rational([ExifRational(4, 1), ExifRational(5, 1), ExifRational(6, 1)])
        exif[.gpsAltitude] = .rational([ExifRational(999, 1)])
        return exif
    }

    static let makerNoteText = "TEST IMAGE TYPE"

    /// A camera TIFF block with a Canon-style maker note: an IFD whose CanonImageType value sits at an absolute
    /// offset from the TIFF header, so it only stays readable if the maker note is not moved.
    static func cameraTIFF(orientation: UInt16 = 6, byteOrder: ExifByteOrder = .bigEndian) throws -> [UInt8] {
        var exif = cameraExif(orientation: orientation, byteOrder: byteOrder)
        let big = byteOrder == .bigEndian
        func u16(_ v: UInt16) -> [UInt8] { big ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: UInt32) -> [UInt8] {
            big ? u16(UInt16(v >> 16)) + u16(UInt16(v & 0xFFFF)) : u16(UInt16(v & 0xFFFF)) + u16(UInt16(v >> 16))
        }
        let text = Array(makerNoteText.utf8) + [0]
        let note = u16(1) + u16(0x0006) + u16(2) + u32(UInt32(text.count)) + u32(0xDEAD_BEEF) + u32(0) + text
        exif[.makerNote] = .undefined(note)
        var tiff = try exif.tiff()
        guard let start = find(note, in: tiff) else { throw TestFailure("maker note not found in the TIFF block") }
        let absolute = u32(UInt32(start + 18))
        tiff.replaceSubrange(start + 10..<start + 14, with: absolute)
        return tiff
    }

    /// An APP1 EXIF segment around `tiff`.
    static func exifSegment(_ tiff: [UInt8]) -> [UInt8] {
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    /// A JPEG as a camera writes it: EXIF with Orientation, maker note and camera GPS.
    static func cameraJPEG(
        width: Int = 96, height: Int = 64, orientation: UInt16 = 6,
        byteOrder: ExifByteOrder = .bigEndian, extra: [[UInt8]] = []
    ) throws -> [UInt8] {
        try jpeg(
            width: width, height: height,
            segments: [exifSegment(try cameraTIFF(orientation: orientation, byteOrder: byteOrder))] + extra)
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<start + needle.count]) == needle { return start }
        }
        return nil
    }

    static func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> Int {
        var count = 0, from = 0
        while from + needle.count <= haystack.count,
            let found = find(needle, in: Array(haystack[from...]))
        {
            count += 1
            from += found + needle.count
        }
        return count
    }
}
