/// Serialises ``TIFFDirectory`` trees into a TIFF block, either fresh or appended after an existing block.
///
/// Appending keeps every byte of the existing block at its offset, so entries copied raw from it (maker notes,
/// thumbnails, interoperability and other sub-IFDs) stay valid without knowing their inner layout.
struct TIFFWriter {
    let order: ExifByteOrder
    private(set) var bytes: [UInt8]

    /// Starts an empty block: the 8-byte header with no IFD yet.
    init(order: ExifByteOrder) {
        self.order = order
        bytes = order.marker
        order.append(UInt16(42), to: &bytes)
        order.append(UInt32(0), to: &bytes)
    }

    /// Continues `block` (a valid TIFF header in `order` is expected); new IFDs go after its last byte.
    init(appendingTo block: [UInt8], order: ExifByteOrder) {
        self.order = order
        bytes = block
    }

    /// Writes `directory` (and its sub-IFDs and chain) and makes it the block's first IFD.
    mutating func writeFirstDirectory(_ directory: TIFFDirectory) throws {
        let offset = try write(directory)
        order.put(offset, into: &bytes, at: 4)
    }

    private mutating func write(_ directory: TIFFDirectory) throws -> UInt32 {
        alignToWord()
        let start = bytes.count
        let entries = directory.entries.sorted { $0.tag < $1.tag }
        guard entries.count <= Int(UInt16.max) else { throw Self.tooLarge }
        order.append(UInt16(entries.count), to: &bytes)
        var pendingData: [(field: Int, data: [UInt8])] = []
        var pendingDirectories: [(field: Int, directory: TIFFDirectory)] = []
        for entry in entries {
            switch entry {
            case .value(let tag, let type, let count, let data):
                order.append(tag, to: &bytes)
                order.append(type, to: &bytes)
                order.append(count, to: &bytes)
                if data.count <= 4 {
                    bytes += data
                    bytes += [UInt8](repeating: 0, count: 4 - data.count)
                } else {
                    pendingData.append((bytes.count, data))
                    order.append(UInt32(0), to: &bytes)
                }
            case .raw(_, let field):
                bytes += field
            case .directory(let tag, let sub):
                order.append(tag, to: &bytes)
                order.append(UInt16(4), to: &bytes)
                order.append(UInt32(1), to: &bytes)
                pendingDirectories.append((bytes.count, sub))
                order.append(UInt32(0), to: &bytes)
            }
        }
        let nextField = bytes.count
        if case .offset(let offset) = directory.next {
            order.append(offset, to: &bytes)
        } else {
            order.append(UInt32(0), to: &bytes)
        }
        for (field, data) in pendingData {
            alignToWord()
            try patch(field, with: bytes.count)
            bytes += data
        }
        for (field, sub) in pendingDirectories {
            let offset = try write(sub)
            order.put(offset, into: &bytes, at: field)
        }
        if case .directory(let nextDirectory) = directory.next {
            let offset = try write(nextDirectory)
            order.put(offset, into: &bytes, at: nextField)
        }
        guard bytes.count <= Int(UInt32.max) else { throw Self.tooLarge }
        return UInt32(start)
    }

    private mutating func patch(_ field: Int, with offset: Int) throws {
        guard offset <= Int(UInt32.max) else { throw Self.tooLarge }
        order.put(UInt32(offset), into: &bytes, at: field)
    }

    /// TIFF offsets must be even.
    private mutating func alignToWord() {
        if bytes.count % 2 == 1 { bytes.append(0) }
    }

    private static let tooLarge = ImagingError(
        .exifTooLarge,
        "the EXIF block grew beyond 4 GiB; write fewer or smaller tags")
}
