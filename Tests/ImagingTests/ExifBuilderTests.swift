import Imaging
import Testing
import TestSupport

@Suite struct ExifBuilderTests {
    @Test(arguments: [ExifByteOrder.bigEndian, .littleEndian])
    func builtCameraJPEGCarriesItsTags(_ order: ExifByteOrder) throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        var exif = ExifBuilder(byteOrder: order)
        exif[.make] = .ascii("SandboxCam")
        exif[.model] = .ascii("S1")
        exif[.software] = .ascii("sandbox 0.1")
        exif[.orientation] = .short([1])
        exif[.dateTimeOriginal] = .ascii("2024:05:01 16:03:22")
        exif[.exposureTime] = .rational([ExifRational(1, 500)])
        exif[.fNumber] = .rational([ExifRational(4, 1)])
        exif[.isoSpeed] = .short([400])
        exif[.gpsAltitude] = .rational([ExifRational(12, 1)])
        let jpeg = try JPEGEncoder.encode(
            rgb: TestImage.rgb(width: 40, height: 30), width: 40, height: 30,
            segments: [try exif.app1Segment()])
        let tags = try ExifToolTags.read(try write(jpeg, "camera.jpg", in: directory))
        #expect(tags.string("IFD0:Make") == "SandboxCam")
        #expect(tags.string("IFD0:Model") == "S1")
        #expect(tags.string("IFD0:Software") == "sandbox 0.1")
        #expect(tags.double("IFD0:Orientation") == 1)
        #expect(tags.string("ExifIFD:DateTimeOriginal") == "2024:05:01 16:03:22")
        #expect(tags.double("ExifIFD:ExposureTime") == 0.002)
        #expect(tags.double("ExifIFD:FNumber") == 4)
        #expect(tags.double("ExifIFD:ISO") == 400)
        #expect(tags.string("ExifIFD:ExifVersion") == "0232")
        #expect(tags.double("GPS:GPSAltitude") == 12)
        #expect(tags.double("File:ImageWidth") == 40 && tags.double("File:ImageHeight") == 30)
        #expect(tags.string("JFIF:JFIFVersion") != nil)
    }

    @Test func oversizedExifIsRefused() throws {
        var exif = ExifBuilder()
        exif[.userComment] = .undefined([UInt8](repeating: 0x41, count: 70_000))
        let error = #expect(throws: ImagingError.self) { try exif.app1Segment() }
        #expect(error?.code == .exifTooLarge)
        #expect(try exif.tiff().count > 70_000)
    }

    @Test func encoderRejectsBadArguments() throws {
        #expect(throws: ImagingError.self) { try JPEGEncoder.encode(rgb: [1, 2, 3], width: 2, height: 2) }
        #expect(throws: ImagingError.self) { try JPEGEncoder.encode(rgb: [], width: 0, height: 0) }
        #expect(throws: ImagingError.self) {
            try JPEGEncoder.encode(gray: [0, 0, 0, 0], width: 2, height: 2, quality: 0)
        }
    }

    @Test func snifferRecognisesFormats() throws {
        let jpeg = try TestImage.jpeg()
        let webp = try ImageTranscoder(format: .webp).transcode(jpeg, metadata: CaptureMetadata()).bytes
        #expect(ImageSniffer.isJPEG(jpeg) && !ImageSniffer.isWebP(jpeg))
        #expect(ImageSniffer.isWebP(webp) && !ImageSniffer.isJPEG(webp))
        #expect(!ImageSniffer.isJPEG([]) && !ImageSniffer.isWebP([0x52, 0x49, 0x46, 0x46]))
        #expect(ImageFileFormat.jpeg.rawValue == "jpg" && ImageFileFormat.webp.rawValue == "webp")
    }
}
