/// Produces the TIFF block to embed: the archive's tags merged into the camera's EXIF, or built alone.
///
/// Merging appends new IFDs after the camera's untouched block and points the header at them, so maker notes,
/// the IFD1 thumbnail and any sub-IFD keep their offsets. A camera block that cannot be walked safely (bad header,
/// IFD offsets outside the block, loops, entry counts past the end) is replaced by one built from the plan alone;
/// single entries whose values lie outside the block are dropped. Either case adds a warning.
enum ExifMerger {
    struct Output: Sendable {
        /// The TIFF block (no `Exif\0\0` prefix); nil when there is nothing to write.
        var tiff: [UInt8]?
        var warnings: [String] = []
    }

    /// Merges `plan` into `camera` (a TIFF block from a JPEG APP1, or nil), keeping the result within `limit` bytes.
    static func merge(camera: [UInt8]?, plan: ExifPlan, limit: Int = .max) -> Output {
        var output = Output()
        if let camera {
            do {
                let merged = try mergeInto(camera, plan: plan)
                output.warnings = merged.warnings
                if merged.tiff.count <= limit {
                    output.tiff = merged.tiff
                    return output
                }
                output.warnings.append(
                    "the camera EXIF with the archive's tags would exceed \(limit) bytes, "
                        + "so only the archive's own tags were written")
            } catch let problem as TIFFReader.Problem {
                output.warnings.append(
                    "the camera EXIF is damaged (\(problem.reason)), " + "so only the archive's own tags were written")
            } catch {
                output.warnings.append(
                    "the camera EXIF could not be merged (\(error)), " + "so only the archive's own tags were written")
            }
        }
        guard !plan.isEmpty else { return output }
        do {
            let fresh = try build(plan, order: .bigEndian)
            if fresh.count <= limit {
                output.tiff = fresh
            } else {
                output.warnings.append("the archive's EXIF tags exceed \(limit) bytes and were not written")
            }
        } catch {
            output.warnings.append("the archive's EXIF tags could not be written (\(error))")
        }
        return output
    }

    /// A new TIFF block holding only the plan's tags.
    static func build(_ plan: ExifPlan, order: ExifByteOrder) throws -> [UInt8] {
        var root = TIFFDirectory(entries: plan.primary.map { $0.value.entry($0.key, order) })
        attach(exif: TIFFDirectory(entries: []), gps: nil, plan: plan, order: order, to: &root)
        var writer = TIFFWriter(order: order)
        try writer.writeFirstDirectory(root)
        return writer.bytes
    }

    private static func mergeInto(_ camera: [UInt8], plan: ExifPlan) throws -> (tiff: [UInt8], warnings: [String]) {
        let reader = try TIFFReader(camera)
        var visited: Set<UInt32> = [reader.firstDirectoryOffset]
        let ifd0 = try reader.directory(at: reader.firstDirectoryOffset, named: "IFD0")
        var dropped = ifd0.dropped

        func subDirectory(_ tag: UInt16, _ name: String) throws -> TIFFReader.Directory? {
            guard let entry = ifd0.first(tag) else { return nil }
            let offset = try reader.pointer(entry, named: name)
            guard visited.insert(offset).inserted else {
                throw TIFFReader.Problem(reason: "its \(name) points back to an IFD already read (a loop)")
            }
            let directory = try reader.directory(at: offset, named: name)
            dropped += directory.dropped
            return directory
        }
        let cameraExif = try subDirectory(ExifTag.exifIFDPointer, "Exif IFD")
        let cameraGPS = plan.gps.isEmpty ? try subDirectory(ExifTag.gpsIFDPointer, "GPS IFD") : nil
        var thumbnail: TIFFReader.Directory?
        if ifd0.next != 0 {
            guard visited.insert(ifd0.next).inserted else {
                throw TIFFReader.Problem(reason: "its IFD1 points back to an IFD already read (a loop)")
            }
            thumbnail = try reader.directory(at: ifd0.next, named: "IFD1")
            dropped += thumbnail?.dropped ?? []
        }

        let order = reader.order
        let pointers: Set<UInt16> = [ExifTag.exifIFDPointer, ExifTag.gpsIFDPointer]
        var root = TIFFDirectory(
            entries: raw(
                ifd0,
                removing: pointers.union(plan.primary.keys)
                    .union(ExifPlan.alwaysRemovedFromPrimary)))
        for (tag, value) in plan.primary { root.set(value.entry(tag, order)) }
        let exif = TIFFDirectory(entries: cameraExif.map { raw($0, removing: Set(plan.exif.keys)) } ?? [])
        let gps = cameraGPS.map { TIFFDirectory(entries: raw($0, removing: [])) }
        attach(exif: exif, gps: gps, plan: plan, order: order, to: &root)
        if let thumbnail {
            var ifd1 = TIFFDirectory(entries: raw(thumbnail, removing: [ExifTag.orientation.id]))
            if !thumbnailFits(thumbnail, reader) {
                ifd1.remove([0x0201, 0x0202])
                dropped.append("the IFD1 thumbnail points outside the EXIF block")
            }
            root.next = .directory(ifd1)
        }
        var writer = TIFFWriter(appendingTo: camera, order: order)
        try writer.writeFirstDirectory(root)
        let warnings = dropped.map { "dropped a damaged camera EXIF entry: \($0)" }
        return (writer.bytes, warnings)
    }

    /// Adds the plan's Exif and GPS values to `exif`/`gps` and links non-empty ones from `root`.
    private static func attach(
        exif: TIFFDirectory, gps: TIFFDirectory?, plan: ExifPlan, order: ExifByteOrder,
        to root: inout TIFFDirectory
    ) {
        var exif = exif
        for (tag, value) in plan.exif { exif.set(value.entry(tag, order)) }
        if !exif.isEmpty {
            if !exif.entries.contains(where: { $0.tag == ExifTag.exifVersion.id }) {
                exif.set(ExifPlan.exifVersion.entry(ExifTag.exifVersion.id, order))
            }
            root.set(.directory(tag: ExifTag.exifIFDPointer, exif))
        }
        if !plan.gps.isEmpty {
            root.set(
                .directory(
                    tag: ExifTag.gpsIFDPointer,
                    TIFFDirectory(entries: plan.gps.map { $0.value.entry($0.key, order) })))
        } else if let gps {
            root.set(.directory(tag: ExifTag.gpsIFDPointer, gps))
        }
    }

    private static func raw(_ directory: TIFFReader.Directory, removing tags: Set<UInt16>) -> [TIFFEntry] {
        var seen: Set<UInt16> = []
        var entries: [TIFFEntry] = []
        for entry in directory.entries where !tags.contains(entry.tag) && seen.insert(entry.tag).inserted {
            entries.append(.raw(tag: entry.tag, field: entry.field))
        }
        return entries
    }

    /// Whether IFD1's JPEG thumbnail (offset 0x0201, length 0x0202) lies inside the block, or there is none.
    private static func thumbnailFits(_ ifd1: TIFFReader.Directory, _ reader: TIFFReader) -> Bool {
        guard let start = ifd1.first(0x0201), let length = ifd1.first(0x0202) else { return true }
        func number(_ entry: TIFFReader.Entry) -> UInt64? {
            guard entry.count == 1 else { return nil }
            switch entry.type {
            case 3: return UInt64(reader.order.uint16(entry.field, 8))
            case 4: return UInt64(reader.order.uint32(entry.field, 8))
            default: return nil
            }
        }
        guard let offset = number(start), let size = number(length) else { return false }
        return offset >= 8 && offset + size <= UInt64(reader.bytes.count)
    }
}
