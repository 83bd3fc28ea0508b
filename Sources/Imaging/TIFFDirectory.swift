/// One IFD to be written by ``TIFFWriter``: its entries (any order; written sorted by tag) and what follows it.
struct TIFFDirectory: Sendable {
    var entries: [TIFFEntry]
    var next: TIFFNextLink = .none

    var isEmpty: Bool { entries.isEmpty }

    /// Drops every entry whose tag is in `tags`.
    mutating func remove(_ tags: Set<UInt16>) {
        entries.removeAll { tags.contains($0.tag) }
    }

    /// Replaces any entry with the same tag.
    mutating func set(_ entry: TIFFEntry) {
        entries.removeAll { $0.tag == entry.tag }
        entries.append(entry)
    }
}

/// An IFD entry to write.
indirect enum TIFFEntry: Sendable {
    /// A value in the writer's byte order; placed inline when 4 bytes or less, else after the directory.
    case value(tag: UInt16, type: UInt16, count: UInt32, data: [UInt8])
    /// The 12 bytes of an entry copied from the block being extended; its offsets still point into that block.
    case raw(tag: UInt16, field: [UInt8])
    /// A pointer (LONG) to a sub-IFD written after this one.
    case directory(tag: UInt16, TIFFDirectory)

    var tag: UInt16 {
        switch self {
        case .value(let tag, _, _, _), .raw(let tag, _), .directory(let tag, _): return tag
        }
    }

    /// Bytes per value of a TIFF field type, nil for types this code does not know.
    static func unitSize(_ type: UInt16) -> Int? {
        switch type {
        case 1, 2, 6, 7: return 1
        case 3, 8: return 2
        case 4, 9, 11, 13: return 4
        case 5, 10, 12: return 8
        default: return nil
        }
    }
}

/// What an IFD's next-IFD field holds.
indirect enum TIFFNextLink: Sendable {
    case none
    /// An offset into the block being extended (an IFD kept where it is).
    case offset(UInt32)
    /// A directory written after this one.
    case directory(TIFFDirectory)
}
