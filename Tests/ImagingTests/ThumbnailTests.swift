import Imaging
import Testing
import TestSupport

@Suite struct ThumbnailTests {
    @Test(arguments: [
        (4000, 3000, 256, 192), (3000, 4000, 192, 256), (1000, 1000, 256, 256),
        (1001, 40, 256, 10), (100, 50, 100, 50),
    ])
    func thumbnailFitsTheSquareAndKeepsTheAspect(
        width: Int, height: Int, expectedWidth: Int, expectedHeight: Int
    ) throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        let jpeg = try TestImage.jpeg(width: width, height: height)
        let thumbnail = try Thumbnail.jpeg(from: jpeg)
        #expect(ImageSniffer.isJPEG(thumbnail))
        let decoded = try DecodedImage.decode(try write(thumbnail, "thumb.jpg", in: directory), scratch: directory)
        #expect(decoded.width == expectedWidth && decoded.height == expectedHeight)
        // Corners keep their colours: red grows to the right, green downwards, blue is 96.
        let topLeft = decoded.pixel(0, 0), bottomRight = decoded.pixel(expectedWidth - 1, expectedHeight - 1)
        #expect(topLeft.0 < 30 && topLeft.1 < 30 && abs(topLeft.2 - 96) < 20, "\(topLeft)")
        #expect(bottomRight.0 > 225 && bottomRight.1 > 225 && abs(bottomRight.2 - 96) < 20, "\(bottomRight)")
    }

    @Test func thumbnailFromWebP() throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        let webp = try ImageTranscoder(format: .webp)
            .transcode(try TestImage.jpeg(width: 1024, height: 768), metadata: CaptureMetadata()).bytes
        let thumbnail = try Thumbnail.jpeg(from: webp, fitting: 256, quality: 85)
        let decoded = try DecodedImage.decode(try write(thumbnail, "thumb.jpg", in: directory), scratch: directory)
        #expect(decoded.width == 256 && decoded.height == 192)
        let middle = decoded.pixel(128, 96)
        #expect(abs(middle.0 - 128) < 20 && abs(middle.1 - 128) < 20 && abs(middle.2 - 96) < 20, "\(middle)")
    }

    @Test func thumbnailOfCMYKAndGrayJPEGs() throws {
        for kind in [SourceKind.cmyk, .gray] {
            let (jpeg, _) = try kind.make()
            let thumbnail = try Thumbnail.jpeg(from: jpeg, fitting: 32)
            #expect(ImageSniffer.isJPEG(thumbnail), "\(kind)")
        }
    }

    @Test func nonImagesAreRejected() throws {
        #expect(throws: ImagingError.self) { try Thumbnail.jpeg(from: []) }
        #expect(throws: ImagingError.self) { try Thumbnail.jpeg(from: Array("GIF89a......".utf8)) }
        #expect(throws: ImagingError.self) { try Thumbnail.jpeg(from: Array("RIFF\0\0\0\0WEBPVP8 ".utf8)) }
        #expect(throws: ImagingError.self) { try Thumbnail.jpeg(from: try TestImage.jpeg(), fitting: 0) }
    }
}
