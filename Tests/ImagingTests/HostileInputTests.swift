import Imaging
import Testing
import TestSupport

/// A damaged camera EXIF block and what must survive the merge.
struct DamagedExif: Sendable, CustomTestStringConvertible {
    let name: String
    let tiff: [UInt8]
    /// Whether the camera's valid Model tag is still expected (only single bad entries are dropped).
    let keepsCameraModel: Bool

    var testDescription: String { name }

    static let corpus: [DamagedExif] = {
        typealias H = HandTIFF
        let cam = Array("Cam".utf8) + [0]
        return [
            DamagedExif(
                name: "IFD0 offset outside the block", tiff: H.header(firstIFD: 0x7FFF_0000) + H.u16(0),
                keepsCameraModel: false),
            DamagedExif(name: "IFD0 next pointing to itself", tiff: H.singleEntry(next: 8), keepsCameraModel: false),
            DamagedExif(
                name: "Exif IFD pointer looping to IFD0",
                tiff: H.header() + H.u16(2) + H.entry(0x0110, 2, 4, cam) + H.entry(0x8769, 4, 1, H.u32(8))
                    + H.u32(0), keepsCameraModel: false),
            DamagedExif(
                name: "Exif IFD pointer with the wrong type",
                tiff: H.header() + H.u16(2) + H.entry(0x0110, 2, 4, cam) + H.entry(0x8769, 3, 1, H.u16(8))
                    + H.u32(0), keepsCameraModel: false),
            DamagedExif(
                name: "IFD0 claiming 65535 entries", tiff: H.header() + H.u16(0xFFFF) + H.entry(0x0110, 2, 4, cam),
                keepsCameraModel: false),
            DamagedExif(
                name: "entry count that overflows when multiplied",
                tiff: H.header() + H.u16(3) + H.entry(0x0110, 2, 4, cam) + H.entry(0x010F, 5, 0x4000_0001, H.u32(8))
                    + H.entry(0x0131, 2, 0xFFFF_FFFF, H.u32(20)) + H.u32(0), keepsCameraModel: true),
            DamagedExif(
                name: "value longer than the segment",
                tiff: H.header() + H.u16(2) + H.entry(0x0110, 2, 4, cam) + H.entry(0x010E, 2, 5000, H.u32(26))
                    + H.u32(0), keepsCameraModel: true),
            DamagedExif(
                name: "EXIF cut short inside IFD0", tiff: Array(H.singleEntry().prefix(15)), keepsCameraModel: false),
            DamagedExif(name: "header only", tiff: [0x4D, 0x4D, 0, 42], keepsCameraModel: false),
            DamagedExif(name: "not TIFF at all", tiff: Array("hello, world".utf8), keepsCameraModel: false),
            DamagedExif(name: "empty EXIF payload", tiff: [], keepsCameraModel: false),
        ]
    }()
}

@Suite struct HostileInputTests {
    static let ours = CaptureMetadata(make: "Ours", capturedAtMillis: 1_714_572_202_123, latitude: 1, longitude: 2)

    @Test(.timeLimit(.minutes(1)), arguments: DamagedExif.corpus)
    func damagedCameraExifIsRebuiltOrTrimmedWithAWarning(_ damaged: DamagedExif) throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        let jpeg = try TestImage.jpeg(segments: [TestImage.exifSegment(damaged.tiff)])
        for (format, tags, result) in try ExifMergeTests.readBoth(jpeg, Self.ours, in: directory) {
            #expect(!result.warnings.isEmpty, "\(format): no warning")
            #expect(tags.string("IFD0:Make") == "Ours", "\(format)")
            #expect(tags.string("ExifIFD:DateTimeOriginal") == "2024:05:01 14:03:22", "\(format)")
            #expect(tags.double("Composite:GPSLatitude") == 1, "\(format)")
            #expect((tags.string("IFD0:Model") == "Cam") == damaged.keepsCameraModel, "\(format)")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func emptyInputIsRejected() throws {
        for format in [ImageFileFormat.jpeg, .webp] {
            let error = #expect(throws: ImagingError.self) {
                try ImageTranscoder(format: format).transcode([], metadata: Self.ours)
            }
            #expect(error?.code == .emptyInput)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func truncatedJPEGsAreRejectedAtEveryCut() throws {
        let jpeg = try TestImage.cameraJPEG()
        let scan = try #require(TestImage.find([0xFF, 0xDA], in: jpeg))
        let cuts = [
            1, 2, 3, 4, 6, 11, 20, 40, scan - 1, scan + 2, scan + 20, (scan + jpeg.count) / 2,
            jpeg.count - 2, jpeg.count - 1,
        ]
        for cut in cuts {
            for format in [ImageFileFormat.jpeg, .webp] {
                #expect(throws: ImagingError.self, "cut at \(cut) of \(jpeg.count)") {
                    try ImageTranscoder(format: format).transcode(Array(jpeg.prefix(cut)), metadata: Self.ours)
                }
            }
        }
    }

    @Test(
        .timeLimit(.minutes(1)),
        arguments: [
            ("garbage after SOI", [0xFF, 0xD8] + (0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }),
            ("segment longer than the file", [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0x45, 0x78]),
            ("PNG signature", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]),
            ("end marker before any scan", [0xFF, 0xD8, 0xFF, 0xD9]),
            ("SOI only", [0xFF, 0xD8]),
        ])
    func nonJPEGsAreRejected(_ name: String, _ bytes: [UInt8]) throws {
        for format in [ImageFileFormat.jpeg, .webp] {
            #expect(throws: ImagingError.self, "\(name)") {
                try ImageTranscoder(format: format).transcode(bytes, metadata: Self.ours)
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func strayBytesBetweenSegmentsAreDroppedWithAWarning() throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        var jpeg = try TestImage.jpeg()
        jpeg.insert(contentsOf: [0x00, 0x12, 0x34], at: 20)  // just after the 18-byte JFIF APP0
        for (format, tags, result) in try ExifMergeTests.readBoth(jpeg, Self.ours, in: directory) {
            #expect(result.warnings.contains { $0.contains("3 stray bytes") }, "\(format): \(result.warnings)")
            #expect(tags.string("IFD0:Make") == "Ours", "\(format)")
        }
    }

    /// Found by fuzzing (`parser-fuzz jpeg`): a chroma component sampled 3× across beside a luma sampled 2× cannot
    /// be decoded (libjpeg has no fractional sampling), but after stray bytes TurboJPEG reported that as a warning,
    /// so the JPEG was archived as it came. Refused either way now, for both outputs.
    @Test(.timeLimit(.minutes(1)), arguments: [false, true])
    func undecodableSamplingIsRejectedEvenAfterStrayBytes(_ strayBytes: Bool) throws {
        var jpeg = try TestImage.jpeg(width: 48, height: 36)
        let frame = try #require(TestImage.find([0xFF, 0xC0], in: jpeg))
        #expect(jpeg[frame + 14] == 0x11, "the second component of a 4:2:0 frame is sampled 1×1")
        jpeg[frame + 14] = 0x31
        if strayBytes { jpeg.insert(contentsOf: [0x14, 0x1E, 0x1E], at: frame) }
        for format in [ImageFileFormat.jpeg, .webp] {
            let error = #expect(throws: ImagingError.self, "\(format)") {
                try ImageTranscoder(format: format).transcode(jpeg, metadata: Self.ours)
            }
            #expect(error?.code == .undecodableJPEG, "\(format): \(String(describing: error))")
        }
    }

    /// Random byte damage inside the EXIF segment: every run either throws ImagingError or returns a JPEG that
    /// libjpeg-turbo still decodes (checked through Thumbnail) — never a crash, hang or empty output.
    @Test(.timeLimit(.minutes(1)))
    func randomlyDamagedExifNeverBreaksTheImage() throws {
        let jpeg = try TestImage.cameraJPEG(width: 32, height: 24)
        let exifStart = try #require(TestImage.find(Array("Exif".utf8), in: jpeg)) + 6
        let exifLength = Int(jpeg[exifStart - 8]) << 8 | Int(jpeg[exifStart - 7]) - 8
        var state: UInt64 = 0x1234_5678
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for round in 0..<300 {
            var damaged = jpeg
            for _ in 0..<(1 + next() % 8) {
                damaged[exifStart + next() % exifLength] = UInt8(truncatingIfNeeded: next())
            }
            let format: ImageFileFormat = round % 10 == 0 ? .webp : .jpeg
            do {
                let result = try ImageTranscoder(format: format).transcode(damaged, metadata: Self.ours)
                #expect(!result.bytes.isEmpty)
                #expect(try Thumbnail.jpeg(from: result.bytes, fitting: 16).count > 100, "round \(round)")
            } catch is ImagingError {
                // A clean refusal is fine.
            }
        }
    }
}
