/// Turns a downloaded JPEG into the archived image: EXIF (and XMP GPano for panoramas) merged in, then either
/// kept as JPEG or re-encoded as WebP with EXIF, XMP and ICC chunks.
///
/// EXIF rules: Make, Model and ImageWidth/ImageLength replace the camera's values; a capture time replaces every
/// camera time tag (UTC, offset `+00:00`, milliseconds in SubSecTime*); any GPS value replaces the camera's whole GPS
/// IFD; Orientation is always removed; everything else the camera wrote, maker notes included, is kept in place.
/// Values the metadata lacks are not written, and the camera's own stay. A damaged camera EXIF is replaced by the
/// archive's tags alone. Panoramas get an XMP GPano packet that replaces any XMP the JPEG had.
///
/// Errors are thrown only when the input is not a usable JPEG (empty, no SOI, broken segments, truncated scan,
/// undecodable) or WebP encoding fails; problems with the metadata become warnings on the result.
public struct ImageTranscoder: Sendable {
    public let format: ImageFileFormat
    /// The WebP quality 0…100 (method 4, default preset, like `cwebp -q Q -m 4`); unused for JPEG output.
    public let webpQuality: Float

    /// `webpQuality` defaults to cwebp's own default, 75.
    public init(format: ImageFileFormat, webpQuality: Float = 75) {
        self.format = format
        self.webpQuality = webpQuality
    }

    /// Thread-safe; called concurrently from a pool of CPU threads. Pure CPU work, no I/O: microseconds for JPEG
    /// output, tens to hundreds of milliseconds per image for WebP (about 0.2 s for 2560×1600 on one core).
    public func transcode(_ jpeg: [UInt8], metadata: CaptureMetadata) throws -> TranscodeResult {
        let structure = try JPEGStructure.parse(jpeg)
        guard structure.hasEndOfImage(jpeg) else {
            throw ImagingError.jpegInput(.truncatedJPEG, "its compressed data ends without an end-of-image marker")
        }
        let decompressor = try TurboJPEGDecompressor()
        let header = try decompressor.header(jpeg)

        let facts = CaptureFacts(metadata)
        var warnings = facts.warnings
        if structure.strayBytes > 0 {
            warnings.append("dropped \(structure.strayBytes) stray bytes between the JPEG's marker segments")
        }
        let cameraExif = structure.firstPayload(jpeg, after: JPEGStructure.exifSignature, where: structure.isExif)
        let cameraXMP = structure.firstPayload(jpeg, after: JPEGStructure.xmpSignature, where: structure.isXMP)
        var panoramaXMP: [UInt8]?
        if facts.isPano, let width = facts.width, let height = facts.height {
            panoramaXMP = PanoramaXMP.packet(width: width, height: height, headingHundredths: facts.headingHundredths)
        }
        let plan = ExifPlan(facts)

        switch format {
        case .jpeg:
            let exif = ExifMerger.merge(camera: cameraExif, plan: plan, limit: ExifBuilder.maxSegmentTIFFBytes)
            warnings += exif.warnings
            var inserted: [[UInt8]] = []
            if let tiff = exif.tiff,
                let segment = JPEGStructure.segment(
                    marker: 0xE1,
                    payload: JPEGStructure.exifSignature + tiff)
            {
                inserted.append(segment)
            }
            var replacesXMP = false
            if let packet = panoramaXMP {
                if let segment = JPEGStructure.segment(marker: 0xE1, payload: JPEGStructure.xmpSignature + packet) {
                    inserted.append(segment)
                    replacesXMP = true
                } else {
                    warnings.append("the panorama XMP packet does not fit a JPEG segment and was not written")
                }
            }
            let output = structure.assemble(jpeg, inserting: inserted) { segment in
                structure.isExif(segment, jpeg)
                    || (replacesXMP && (structure.isXMP(segment, jpeg) || structure.isExtendedXMP(segment, jpeg)))
            }
            return TranscodeResult(bytes: output, format: .jpeg, warnings: warnings)

        case .webp:
            let exif = ExifMerger.merge(camera: cameraExif, plan: plan)
            warnings += exif.warnings
            let (icc, iccWarning) = ICCProfile.extract(structure, jpeg)
            if let iccWarning { warnings.append(iccWarning) }
            let (bitstream, decodeWarnings) = try WebPEncoder(quality: webpQuality).encode(
                jpeg, header, with: decompressor)
            warnings += decodeWarnings
            let output = try WebPContainer.assemble(
                bitstream: bitstream, exif: exif.tiff,
                xmp: panoramaXMP ?? cameraXMP, icc: icc)
            return TranscodeResult(bytes: output, format: .webp, warnings: warnings)
        }
    }
}
