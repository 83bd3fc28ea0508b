import CWebP
@testable import Imaging

/// `jpeg`: what `download` does to every image it fetches, on the fuzzer's bytes as the CDN's answer: the JPEG kept
/// with the archive's tags, kept as a panorama (its XMP replaced), and re-encoded as WebP with the camera's EXIF,
/// XMP and ICC profile carried into chunks (only for images of at most ``webpPixelLimit`` pixels, so one input
/// costs milliseconds, not seconds).
enum JPEGTarget {
    static let photo = CaptureMetadata(
        make: "Fuzz", model: "Target", width: 64, height: 48,
        capturedAtMillis: 1_714_572_202_123, latitude: 48.137, longitude: 11.575,
        altitude: 519.5, heading: 271.25)
    static let panorama: CaptureMetadata = {
        var metadata = photo
        metadata.isPano = true
        return metadata
    }()
    static let webpPixelLimit = 128 * 128

    static func run(_ jpeg: [UInt8]) {
        for metadata in [photo, panorama] {
            guard let result = try? ImageTranscoder(format: .jpeg).transcode(jpeg, metadata: metadata) else { return }
            checkArchivedJPEG(result.bytes, metadata)
        }
        guard pixelCount(jpeg) <= webpPixelLimit,
            let result = try? ImageTranscoder(format: .webp, webpQuality: 50).transcode(jpeg, metadata: photo)
        else { return }
        checkWebPChunks(result.bytes, source: jpeg)
    }

    /// The JPEG we archive is a valid input again, its EXIF merges without damage and nothing in it is stray.
    static func checkArchivedJPEG(_ archived: [UInt8], _ metadata: CaptureMetadata) {
        let again: TranscodeResult
        do {
            again = try ImageTranscoder(format: .jpeg).transcode(archived, metadata: metadata)
        } catch {
            fatalError("property broken: the archived JPEG does not transcode again: \(error)")
        }
        let complaints = again.warnings.filter { $0.contains("damaged") || $0.contains("stray") }
        require(complaints.isEmpty, "the archived JPEG reads as damaged: \(complaints)")
    }

    /// The WebP's EXIF chunk is a readable TIFF block and its XMP chunk is the camera's packet, byte for byte.
    private static func checkWebPChunks(_ webp: [UInt8], source jpeg: [UInt8]) {
        guard let structure = try? JPEGStructure.parse(jpeg) else { return }
        let cameraXMP = structure.firstPayload(jpeg, after: JPEGStructure.xmpSignature, where: structure.isXMP)
        let chunks = WebPChunks(webp)
        require(
            chunks.xmp == cameraXMP.flatMap { $0.isEmpty ? nil : $0 },
            "the WebP's XMP chunk differs from the camera's XMP packet")
        guard let exif = chunks.exif else { return }
        require(ExifTarget.readsWhole(exif), "the WebP's EXIF chunk is not a readable TIFF block")
    }

    private static func pixelCount(_ jpeg: [UInt8]) -> Int {
        do {
            let header = try TurboJPEGDecompressor().header(jpeg)
            return header.width * header.height
        } catch {
            return .max
        }
    }
}

/// `exif`: a camera's TIFF block (what follows `Exif\0\0` in an APP1 segment) merged with the archive's tags, once
/// with a full plan (time and GPS replace the camera's) and once with Make alone (the camera's time and GPS stay).
enum ExifTarget {
    static let plans = [
        ExifPlan(CaptureFacts(JPEGTarget.photo)), ExifPlan(CaptureFacts(CaptureMetadata(make: "Fuzz"))),
    ]

    static func run(_ camera: [UInt8]) {
        for plan in plans {
            let merged = ExifMerger.merge(camera: camera, plan: plan, limit: ExifBuilder.maxSegmentTIFFBytes)
            guard let tiff = merged.tiff else {
                fatalError("property broken: no EXIF written for the archive's tags: \(merged.warnings)")
            }
            require(tiff.count <= ExifBuilder.maxSegmentTIFFBytes, "the EXIF block exceeds a JPEG segment")
            require(readsWhole(tiff), "the merged EXIF block cannot be read back")
            require(make(in: tiff) == "Fuzz", "the merged EXIF block lost the archive's Make")
        }
    }

    /// True when `tiff` merges into without a damage warning: every IFD and value lies inside the block.
    static func readsWhole(_ tiff: [UInt8]) -> Bool {
        let again = ExifMerger.merge(camera: tiff, plan: plans[1])
        return again.tiff != nil && !again.warnings.contains { $0.contains("damaged") }
    }

    /// IFD0's Make as written (ASCII, NUL-terminated).
    private static func make(in tiff: [UInt8]) -> String? {
        guard let reader = try? TIFFReader(tiff),
            let ifd0 = try? reader.directory(at: reader.firstDirectoryOffset, named: "IFD0"),
            let entry = ifd0.first(ExifTag.make.id), entry.type == 2, entry.count > 4
        else { return nil }
        let offset = Int(reader.order.uint32(entry.field, 8))
        let text = reader.bytes[offset..<offset + Int(entry.count)]
        return String(decoding: text.prefix { $0 != 0 }, as: UTF8.self)
    }
}

/// The metadata chunks of a WebP file, read back with libwebpmux.
struct WebPChunks {
    var exif: [UInt8]?
    var xmp: [UInt8]?

    init(_ webp: [UInt8]) {
        webp.withUnsafeBufferPointer { file in
            var data = WebPData(bytes: file.baseAddress, size: file.count)
            guard let mux = cwebp_mux_create(&data, 0) else {
                fatalError("property broken: libwebpmux cannot read our WebP")
            }
            defer { WebPMuxDelete(mux) }
            exif = Self.chunk(mux, "EXIF")
            xmp = Self.chunk(mux, "XMP ")
        }
    }

    private static func chunk(_ mux: OpaquePointer, _ fourCC: String) -> [UInt8]? {
        var data = WebPData(bytes: nil, size: 0)
        guard WebPMuxGetChunk(mux, fourCC, &data) == WEBP_MUX_OK, let start = data.bytes else { return nil }
        return Array(UnsafeBufferPointer(start: start, count: data.size))
    }
}
