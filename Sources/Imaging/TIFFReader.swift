/// Reads IFDs of an untrusted TIFF/EXIF block, checking every offset and count against the block's size.
struct TIFFReader {
    /// Why a camera EXIF block cannot be merged into.
    struct Problem: Error, Sendable {
        let reason: String
    }

    /// One entry as stored: its 12 bytes and the decoded header fields.
    struct Entry: Sendable {
        let tag: UInt16
        let type: UInt16
        let count: UInt32
        /// The 12 raw bytes, for copying unchanged.
        let field: [UInt8]
    }

    struct Directory: Sendable {
        var entries: [Entry]
        /// Offset of the next IFD, 0 when none.
        var next: UInt32
        /// Entries that were dropped because their values lie outside the block, one sentence each.
        var dropped: [String]

        func first(_ tag: UInt16) -> Entry? { entries.first { $0.tag == tag } }
    }

    /// More entries than any real camera writes in one IFD; larger counts are treated as corrupt.
    static let maxEntries = 1024

    let bytes: [UInt8]
    let order: ExifByteOrder
    let firstDirectoryOffset: UInt32

    init(_ bytes: [UInt8]) throws {
        guard bytes.count >= 8 else { throw Problem(reason: "it is shorter than a TIFF header") }
        switch (bytes[0], bytes[1]) {
        case (0x4D, 0x4D): order = .bigEndian
        case (0x49, 0x49): order = .littleEndian
        default: throw Problem(reason: "its TIFF header has no byte-order mark")
        }
        guard order.uint16(bytes, 2) == 42 else { throw Problem(reason: "its TIFF header lacks the number 42") }
        self.bytes = bytes
        firstDirectoryOffset = order.uint32(bytes, 4)
    }

    /// Reads the IFD at `offset`; entries whose values point outside the block are left out and listed.
    func directory(at offset: UInt32, named name: String) throws -> Directory {
        let start = Int(offset)
        guard start >= 8, start + 2 <= bytes.count else {
            throw Problem(reason: "its \(name) offset \(offset) lies outside the block")
        }
        let count = Int(order.uint16(bytes, start))
        guard count <= Self.maxEntries else {
            throw Problem(reason: "its \(name) claims \(count) entries")
        }
        let end = start + 2 + 12 * count
        guard end <= bytes.count else {
            throw Problem(reason: "its \(name) with \(count) entries runs past the end of the block")
        }
        var directory = Directory(entries: [], next: 0, dropped: [])
        directory.entries.reserveCapacity(count)
        for index in 0..<count {
            let at = start + 2 + 12 * index
            let entry = Entry(
                tag: order.uint16(bytes, at), type: order.uint16(bytes, at + 2),
                count: order.uint32(bytes, at + 4), field: Array(bytes[at..<at + 12]))
            if valueFits(entry) {
                directory.entries.append(entry)
            } else {
                directory.dropped.append("\(tagName(entry.tag)) in \(name) points outside the EXIF block")
            }
        }
        directory.next = end + 4 <= bytes.count ? order.uint32(bytes, end) : 0
        return directory
    }

    /// The offset held by a sub-IFD pointer entry (LONG or IFD, count 1).
    func pointer(_ entry: Entry, named name: String) throws -> UInt32 {
        guard entry.type == 4 || entry.type == 13, entry.count == 1 else {
            throw Problem(reason: "its \(name) pointer has type \(entry.type) and count \(entry.count)")
        }
        return order.uint32(entry.field, 8)
    }

    /// Whether an out-of-line value lies wholly inside the block (unknown types cannot be checked and are kept).
    private func valueFits(_ entry: Entry) -> Bool {
        guard let unit = TIFFEntry.unitSize(entry.type) else { return true }
        let size = UInt64(entry.count) * UInt64(unit)
        if size <= 4 { return true }
        let offset = UInt64(order.uint32(entry.field, 8))
        return offset >= 8 && offset + size <= UInt64(bytes.count)
    }
}

/// `tag 0x8769` style name of a tag number.
func tagName(_ tag: UInt16) -> String {
    let digits = String(tag, radix: 16, uppercase: true)
    return "tag 0x" + String(repeating: "0", count: 4 - digits.count) + digits
}
