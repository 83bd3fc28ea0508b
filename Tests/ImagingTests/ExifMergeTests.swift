import Imaging
import Testing
import TestSupport

/// EXIF written into JPEG and WebP outputs, read back by exiftool.
@Suite struct ExifMergeTests {
    static let metadata = CaptureMetadata(
        make: "GoPro", model: "MAX", width: 4000, height: 3000,
        capturedAtMillis: 1_714_572_202_123, latitude: 52.520008,
        longitude: 13.404954, altitude: 34.5, heading: 90)

    /// Transcodes `jpeg` to both formats and reads both files with one exiftool run.
    static func readBoth(
        _ jpeg: [UInt8], _ metadata: CaptureMetadata,
        in directory: TemporaryDirectory
    ) throws -> [(String, ExifToolTags, TranscodeResult)] {
        let jpegResult = try ImageTranscoder(format: .jpeg).transcode(jpeg, metadata: metadata)
        let webpResult = try ImageTranscoder(format: .webp).transcode(jpeg, metadata: metadata)
        #expect(jpegResult.format == .jpeg && webpResult.format == .webp)
        let paths = [
            try write(jpegResult.bytes, "out.jpg", in: directory),
            try write(webpResult.bytes, "out.webp", in: directory),
        ]
        let tags = try ExifToolTags.read(paths)
        let webpCheck = try webpinfoAccepts(paths[1])
        #expect(webpCheck.ok, "webpinfo rejected the WebP: \(webpCheck.report)")
        return [("jpeg", tags[0], jpegResult), ("webp", tags[1], webpResult)]
    }

    @Test func writesUTCTimeWithOffsetAndMillisecondsCameraAndSize() throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        for (format, tags, _) in try Self.readBoth(try TestImage.jpeg(), Self.metadata, in: directory) {
            #expect(tags.string("IFD0:Make") == "GoPro", "\(format)")
            #expect(tags.string("IFD0:Model") == "MAX", "\(format)")
            #expect(tags.double("IFD0:ImageWidth") == 4000, "\(format)")
            #expect(tags.double("IFD0:ImageHeight") == 3000, "\(format)")
            #expect(tags.string("IFD0:ModifyDate") == "2024:05:01 14:03:22", "\(format)")
            #expect(tags.string("ExifIFD:DateTimeOriginal") == "2024:05:01 14:03:22", "\(format)")
            #expect(tags.string("ExifIFD:CreateDate") == "2024:05:01 14:03:22", "\(format)")
            for offset in ["OffsetTime", "OffsetTimeOriginal", "OffsetTimeDigitized"] {
                #expect(tags.string("ExifIFD:\(offset)") == "+00:00", "\(format) \(offset)")
            }
            #expect(tags.string("ExifIFD:SubSecTimeOriginal") == "123", "\(format)")
            #expect(tags.string("ExifIFD:SubSecTimeDigitized") == "123", "\(format)")
            #expect(tags.string("Composite:SubSecDateTimeOriginal") == "2024:05:01 14:03:22.123+00:00", "\(format)")
            #expect(tags.keys(named: "Orientation").isEmpty, "\(format)")
        }
    }

    @Test(arguments: [
        (Int64(1_714_572_202_007), "2024:05:01 14:03:22", "007"),
        (Int64(951_782_400_000), "2000:02:29 00:00:00", "000"),
        (Int64(-1000), "1969:12:31 23:59:59", "000"),
    ])
    func writesEdgeCaseTimesInUTC(millis: Int64, expected: String, subSeconds: String) throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        let result = try ImageTranscoder(format: .jpeg)
            .transcode(try TestImage.jpeg(), metadata: CaptureMetadata(capturedAtMillis: millis))
        let tags = try ExifToolTags.read(try write(result.bytes, "time.jpg", in: directory))
        #expect(tags.string("ExifIFD:DateTimeOriginal") == expected)
        #expect(tags.string("Composite:SubSecDateTimeOriginal") == "\(expected).\(subSeconds)+00:00")
    }

    @Test func keepsCameraTagsAndMakerNoteButRemovesOrientationAndStaleGPS() throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        let camera = try TestImage.cameraJPEG()
        let before = try ExifToolTags.read(try write(camera, "camera.jpg", in: directory))
        #expect(before.double("IFD0:Orientation") == 6)
        #expect(before.string("Canon:CanonImageType") == TestImage.makerNoteText)

        // Mapillary reports the camera's make (the maker note is only read for a matching Make) and a model name.
        var metadata = Self.metadata
        metadata.make = "Canon"
        metadata.model = "Canon EOS R"
        for (format, tags, result) in try Self.readBoth(camera, metadata, in: directory) {
            #expect(tags.keys(named: "Orientation").isEmpty, "\(format): \(tags.keys(named: "Orientation"))")
            #expect(tags.string("IFD0:Software") == "Firmware 1.0.2", "\(format)")
            #expect(tags.double("ExifIFD:ExposureTime") == 0.004, "\(format)")
            #expect(tags.double("ExifIFD:FNumber") == 2.8, "\(format)")
            #expect(tags.double("ExifIFD:ISO") == 200, "\(format)")
            #expect(tags.string("ExifIFD:LensModel") == "EF 24-105mm", "\(format)")
            #expect(tags.string("Canon:CanonImageType") == TestImage.makerNoteText, "\(format): maker note moved")
            // Ours replace the camera's.
            #expect(tags.string("IFD0:Model") == "Canon EOS R", "\(format)")
            #expect(tags.string("ExifIFD:DateTimeOriginal") == "2024:05:01 14:03:22", "\(format)")
            // The camera's raw GPS fix (1°2'3", altitude 999 m) is replaced as a whole.
            #expect(abs((tags.double("Composite:GPSLatitude") ?? 0) - 52.520008) < 1e-6, "\(format)")
            #expect(tags.double("Composite:GPSAltitude") == 34.5, "\(format)")
            #expect(result.warnings.isEmpty, "\(format): \(result.warnings)")
        }
    }

    @Test func keepsCameraTimeAndGPSWhenTheMetadataHasNone() throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        let camera = try TestImage.cameraJPEG(byteOrder: .littleEndian)
        for (format, tags, _) in try Self.readBoth(camera, CaptureMetadata(width: 640), in: directory) {
            #expect(tags.double("IFD0:ImageWidth") == 640, "\(format)")
            #expect(tags.string("IFD0:Make") == "Canon", "\(format)")
            #expect(tags.string("IFD0:Model") == "Canon EOS Test", "\(format)")
            #expect(tags.string("ExifIFD:DateTimeOriginal") == "2019:07:04 09:15:00", "\(format)")
            #expect(tags.double("GPS:GPSAltitude") == 999, "\(format)")
            #expect(tags.string("Canon:CanonImageType") == TestImage.makerNoteText, "\(format)")
            #expect(tags.keys(named: "Orientation").isEmpty, "\(format)")
        }
    }

    @Test func removesOrientationFromTheThumbnailIFDToo() throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        let jpeg = try TestImage.jpeg(segments: [TestImage.exifSegment(HandTIFF.withThumbnailOrientation())])
        let before = try ExifToolTags.read(try write(jpeg, "in.jpg", in: directory))
        #expect(before.keys(named: "Orientation") == ["IFD0:Orientation", "IFD1:Orientation"])
        for (format, tags, _) in try Self.readBoth(jpeg, CaptureMetadata(model: "X"), in: directory) {
            #expect(tags.keys(named: "Orientation").isEmpty, "\(format)")
            #expect(tags.string("IFD0:Make") == "Canon", "\(format)")
            #expect(tags.string("IFD1:Compression") != nil, "\(format): IFD1 lost")
        }
    }

    @Test func metadataWithNothingUsableWritesNoEXIF() throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        let empty = CaptureMetadata(make: "", width: -5, capturedAtMillis: Int64.max)
        let outputs = try Self.readBoth(try TestImage.jpeg(), empty, in: directory)
        for (format, tags, result) in outputs {
            #expect(tags.keys(named: "Make").isEmpty && tags.keys(named: "DateTimeOriginal").isEmpty, "\(format)")
            #expect(result.warnings.count == 2, "\(format): \(result.warnings)")
        }
    }

    @Test func jpegOutputKeepsTheCompressedImageBytesUnchanged() throws {
        let camera = try TestImage.cameraJPEG()
        let output = try ImageTranscoder(format: .jpeg).transcode(camera, metadata: Self.metadata).bytes
        let scanIn = try #require(TestImage.find([0xFF, 0xDA], in: camera))
        let scanOut = try #require(TestImage.find([0xFF, 0xDA], in: output))
        #expect(Array(output[scanOut...]) == Array(camera[scanIn...]))
        #expect(TestImage.occurrences(of: Array("Exif".utf8) + [0, 0], in: output) == 1)
    }
}
