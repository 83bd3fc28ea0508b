/// Builds an EXIF block from tags of your choosing, e.g. to give generated test or sandbox JPEGs camera EXIF.
///
/// ```swift
/// var exif = ExifBuilder()
/// exif[.make] = .ascii("Canon")
/// exif[.dateTimeOriginal] = .ascii("2024:05:01 14:03:22")
/// exif[.orientation] = .short([1])
/// let jpeg = try JPEGEncoder.encode(rgb: pixels, width: 640, height: 480, segments: [try exif.app1Segment()])
/// ```
/// Sub-IFD pointers are written for you; an Exif IFD without ExifVersion gets version 0232.
public struct ExifBuilder: Sendable {
    public var byteOrder: ExifByteOrder
    /// Every tag to write, keyed by directory and number.
    public var tags: [ExifTag: ExifValue]

    /// Largest TIFF block that fits one APP1 segment: 65535 minus the length field and `Exif\0\0`.
    public static let maxSegmentTIFFBytes = 65_527

    public init(byteOrder: ExifByteOrder = .bigEndian, tags: [ExifTag: ExifValue] = [:]) {
        self.byteOrder = byteOrder
        self.tags = tags
    }

    public subscript(tag: ExifTag) -> ExifValue? {
        get { tags[tag] }
        set { tags[tag] = newValue }
    }

    /// The TIFF block (header and IFDs), as stored in a WebP `EXIF` chunk or after `Exif\0\0` in a JPEG.
    public func tiff() throws -> [UInt8] {
        try ExifMerger.build(ExifPlan(tags: tags), order: byteOrder)
    }

    /// A complete JPEG APP1 segment (`FF E1`, length, `Exif\0\0`, TIFF block); throws when it exceeds 65535 bytes.
    public func app1Segment() throws -> [UInt8] {
        let block = try tiff()
        guard let segment = JPEGStructure.segment(marker: 0xE1, payload: JPEGStructure.exifSignature + block) else {
            throw ImagingError(
                .exifTooLarge,
                "the EXIF block is \(block.count) bytes but a JPEG segment holds at most "
                    + "\(Self.maxSegmentTIFFBytes); write fewer or shorter tags")
        }
        return segment
    }
}
