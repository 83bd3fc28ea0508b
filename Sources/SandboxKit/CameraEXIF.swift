/// A camera's own EXIF block, written from scratch: what a phone or action camera puts into its
/// JPEGs before Mapillary sees them. Independent of the Imaging module on purpose, so tests of
/// Imaging's EXIF merge have a second writer to check against.
///
/// Layout: APP1 `Exif\0\0`, little-endian TIFF; IFD0 with Make, Model, Orientation, X/YResolution,
/// ResolutionUnit, Software, YCbCrPositioning and the Exif IFD pointer; the Exif IFD with
/// ExposureTime, FNumber, ISO, ExifVersion, DateTimeOriginal, ComponentsConfiguration,
/// FlashpixVersion, ColorSpace and the pixel size: every tag `exiftool -validate` requires of a
/// JPEG. No thumbnail IFD.
public struct CameraEXIF: Sendable, Equatable {
    public var make: String
    public var model: String
    public var software: String
    public var orientation: UInt16
    /// Local camera time, `YYYY:MM:DD HH:MM:SS`.
    public var dateTimeOriginal: String
    /// Seconds as a fraction, e.g. (1, 250).
    public var exposureTime: (numerator: UInt32, denominator: UInt32)
    /// e.g. (28, 10) for f/2.8.
    public var fNumber: (numerator: UInt32, denominator: UInt32)
    public var iso: UInt16
    /// The picture's size (ExifImageWidth, ExifImageHeight).
    public var pixelSize: PixelSize

    public init(
        make: String, model: String, software: String, orientation: UInt16 = 1, dateTimeOriginal: String,
        exposureTime: (numerator: UInt32, denominator: UInt32), fNumber: (numerator: UInt32, denominator: UInt32),
        iso: UInt16, pixelSize: PixelSize
    ) {
        self.make = make
        self.model = model
        self.software = software
        self.orientation = orientation
        self.dateTimeOriginal = dateTimeOriginal
        self.exposureTime = exposureTime
        self.fNumber = fNumber
        self.iso = iso
        self.pixelSize = pixelSize
    }

    public static func == (a: CameraEXIF, b: CameraEXIF) -> Bool {
        a.make == b.make && a.model == b.model && a.software == b.software && a.orientation == b.orientation
            && a.dateTimeOriginal == b.dateTimeOriginal && a.exposureTime == b.exposureTime
            && a.fNumber == b.fNumber && a.iso == b.iso && a.pixelSize == b.pixelSize
    }

    /// The complete APP1 segment, marker included (`FF E1`, length, `Exif\0\0`, TIFF).
    public func app1Segment() -> [UInt8] {
        let exifEntries: [Entry] = [
            Entry(tag: 0x829A, type: 5, count: 1, value: rational(exposureTime)),
            Entry(tag: 0x829D, type: 5, count: 1, value: rational(fNumber)),
            Entry(tag: 0x8827, type: 3, count: 1, value: short(iso)),
            Entry(tag: 0x9000, type: 7, count: 4, value: Array("0232".utf8)),
            ascii(0x9003, dateTimeOriginal),
            Entry(tag: 0x9101, type: 7, count: 4, value: [1, 2, 3, 0]),
            Entry(tag: 0xA000, type: 7, count: 4, value: Array("0100".utf8)),
            Entry(tag: 0xA001, type: 3, count: 1, value: short(1)),
            Entry(tag: 0xA002, type: 4, count: 1, value: long(UInt32(clamping: pixelSize.width))),
            Entry(tag: 0xA003, type: 4, count: 1, value: long(UInt32(clamping: pixelSize.height))),
        ]
        // IFD0 sits at offset 8; the Exif IFD follows IFD0 and its data.
        var ifd0: [Entry] = [
            ascii(0x010F, make), ascii(0x0110, model),
            Entry(tag: 0x0112, type: 3, count: 1, value: short(orientation)),
            Entry(tag: 0x011A, type: 5, count: 1, value: rational((72, 1))),
            Entry(tag: 0x011B, type: 5, count: 1, value: rational((72, 1))),
            Entry(tag: 0x0128, type: 3, count: 1, value: short(2)),
            ascii(0x0131, software),
            Entry(tag: 0x0213, type: 3, count: 1, value: short(1)),
            Entry(tag: 0x8769, type: 4, count: 1, value: long(0)),
        ]
        let ifd0Size = Self.ifdSize(ifd0)
        ifd0[ifd0.count - 1].value = long(UInt32(8 + ifd0Size))
        var tiff: [UInt8] = [0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00]
        Self.appendIFD(ifd0, at: 8, to: &tiff)
        Self.appendIFD(exifEntries, at: UInt32(tiff.count), to: &tiff)
        let length = 2 + 6 + tiff.count
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + Array("Exif".utf8) + [0, 0] + tiff
    }

    /// `jpeg` with this block as its first segment; an existing JFIF APP0 or Exif APP1 right after
    /// SOI is dropped (cameras write Exif, not JFIF). Returns `jpeg` unchanged if it is not a JPEG.
    public func inserted(into jpeg: [UInt8]) -> [UInt8] {
        guard jpeg.count >= 4, jpeg[0] == 0xFF, jpeg[1] == 0xD8 else { return jpeg }
        var rest = 2
        while rest + 4 <= jpeg.count, jpeg[rest] == 0xFF, jpeg[rest + 1] == 0xE0 || jpeg[rest + 1] == 0xE1 {
            let length = Int(jpeg[rest + 2]) << 8 | Int(jpeg[rest + 3])
            guard length >= 2, rest + 2 + length <= jpeg.count else { break }
            rest += 2 + length
        }
        return [0xFF, 0xD8] + app1Segment() + jpeg[rest...]
    }

    // MARK: TIFF building

    struct Entry {
        let tag: UInt16
        let type: UInt16
        let count: UInt32
        var value: [UInt8]
    }

    private func ascii(_ tag: UInt16, _ text: String) -> Entry {
        let bytes = Array(text.utf8.filter { $0 != 0 }.prefix(255)) + [0]
        return Entry(tag: tag, type: 2, count: UInt32(bytes.count), value: bytes)
    }

    private func short(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private func long(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
    private func rational(_ r: (numerator: UInt32, denominator: UInt32)) -> [UInt8] {
        long(r.numerator) + long(r.denominator)
    }

    /// Bytes an IFD and its out-of-line data take, padded to even length.
    static func ifdSize(_ entries: [Entry]) -> Int {
        2 + 12 * entries.count + 4 + entries.reduce(0) { $0 + ($1.value.count > 4 ? ($1.value.count + 1) & ~1 : 0) }
    }

    /// Appends an IFD (entries sorted by tag, as TIFF requires) at `offset`, followed by its data.
    static func appendIFD(_ unsorted: [Entry], at offset: UInt32, to out: inout [UInt8]) {
        let entries = unsorted.sorted { $0.tag < $1.tag }
        var dataOffset = offset + UInt32(2 + 12 * entries.count + 4)
        var data: [UInt8] = []
        func le16(_ v: UInt16) { out += [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func le32(_ v: UInt32) { out += (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
        le16(UInt16(entries.count))
        for entry in entries {
            le16(entry.tag)
            le16(entry.type)
            le32(entry.count)
            if entry.value.count <= 4 {
                out += entry.value + [UInt8](repeating: 0, count: 4 - entry.value.count)
            } else {
                le32(dataOffset)
                var value = entry.value
                if value.count % 2 == 1 { value.append(0) }
                data += value
                dataOffset += UInt32(value.count)
            }
        }
        le32(0)
        out += data
    }
}
