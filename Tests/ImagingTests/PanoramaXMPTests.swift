import Imaging
import Testing
import TestSupport

@Suite struct PanoramaXMPTests {
    static let pano = CaptureMetadata(
        width: 5760, height: 2880, capturedAtMillis: 1_714_572_202_123,
        latitude: 48.1, longitude: 11.5, heading: -0.5, isPano: true)

    @Test func panoramaGetsGPanoTagsInJPEGAndWebP() throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        for (format, tags, _) in try ExifMergeTests.readBoth(try TestImage.jpeg(), Self.pano, in: directory) {
            #expect(tags.string("XMP-GPano:ProjectionType") == "equirectangular", "\(format)")
            #expect(
                tags.string("XMP-GPano:UsePanoramaViewer") == "1"
                    || tags.string("XMP-GPano:UsePanoramaViewer") == "True", "\(format)")
            #expect(tags.double("XMP-GPano:FullPanoWidthPixels") == 5760, "\(format)")
            #expect(tags.double("XMP-GPano:FullPanoHeightPixels") == 2880, "\(format)")
            #expect(tags.double("XMP-GPano:CroppedAreaImageWidthPixels") == 5760, "\(format)")
            #expect(tags.double("XMP-GPano:CroppedAreaImageHeightPixels") == 2880, "\(format)")
            #expect(tags.double("XMP-GPano:CroppedAreaLeftPixels") == 0, "\(format)")
            #expect(tags.double("XMP-GPano:CroppedAreaTopPixels") == 0, "\(format)")
            #expect(tags.double("XMP-GPano:PoseHeadingDegrees") == 359.5, "\(format)")
            #expect(tags.double("GPS:GPSImgDirection") == 359.5, "\(format)")
        }
    }

    @Test func panoramaWithoutHeadingOmitsPoseHeading() throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        var metadata = Self.pano
        metadata.heading = nil
        for (format, tags, _) in try ExifMergeTests.readBoth(try TestImage.jpeg(), metadata, in: directory) {
            #expect(tags.string("XMP-GPano:ProjectionType") == "equirectangular", "\(format)")
            #expect(tags.keys(named: "PoseHeadingDegrees").isEmpty, "\(format)")
        }
    }

    @Test func notAPanoramaOrNoSizeMeansNoGPano() throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        var noSize = Self.pano
        noSize.width = nil
        for metadata in [noSize, CaptureMetadata(width: 100, height: 50, isPano: false)] {
            for (format, tags, _) in try ExifMergeTests.readBoth(try TestImage.jpeg(), metadata, in: directory) {
                #expect(tags.keys(named: "ProjectionType").isEmpty, "\(format)")
            }
        }
    }

    @Test func reprocessingReplacesTheXMPPacketInsteadOfAddingOne() throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        let transcoder = ImageTranscoder(format: .jpeg)
        let once = try transcoder.transcode(try TestImage.cameraJPEG(), metadata: Self.pano).bytes
        var changed = Self.pano
        changed.width = 8000
        changed.height = 4000
        let twice = try transcoder.transcode(once, metadata: changed).bytes
        let xmpSignature = Array("http://ns.adobe.com/xap/1.0/".utf8) + [0]
        #expect(TestImage.occurrences(of: xmpSignature, in: twice) == 1)
        #expect(TestImage.occurrences(of: Array("Exif".utf8) + [0, 0], in: twice) == 1)
        let tags = try ExifToolTags.read(try write(twice, "twice.jpg", in: directory))
        #expect(tags.double("XMP-GPano:FullPanoWidthPixels") == 8000)
        #expect(tags.string("Canon:CanonImageType") == TestImage.makerNoteText)
        #expect(tags.keys(named: "Orientation").isEmpty)
        let webp = try ImageTranscoder(format: .webp).transcode(once, metadata: changed).bytes
        #expect(TestImage.occurrences(of: Array("XMP ".utf8), in: webp) == 1)
    }

    @Test func nonPanoramaKeepsTheCameraXMP() throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        let packet =
            "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
            + "<rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmp:Rating=\"4\"/>"
            + "</rdf:RDF></x:xmpmeta>"
        let payload = Array("http://ns.adobe.com/xap/1.0/".utf8) + [0] + Array(packet.utf8)
        let segment = [0xFF, 0xE1, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        let jpeg = try TestImage.jpeg(segments: [segment])
        for (format, tags, _) in try ExifMergeTests.readBoth(jpeg, CaptureMetadata(make: "X"), in: directory) {
            #expect(tags.double("XMP-xmp:Rating") == 4, "\(format)")
        }
    }
}
