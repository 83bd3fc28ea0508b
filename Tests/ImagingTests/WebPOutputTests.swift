import Dispatch
import Foundation
import Imaging
import Synchronization
import Testing
import TestSupport

/// A kind of source JPEG the WebP path must handle.
enum SourceKind: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case yuv420, yuv444, yuv422, yuv440, yuv411, gray, cmyk, oddSize420, oddSize422, oddSize440, oddSizeGray

    var testDescription: String { rawValue }
    var isOdd: Bool { rawValue.hasPrefix("odd") }
    /// Odd sizes make TurboJPEG pad its planes beyond the image.
    var width: Int { isOdd ? 97 : 96 }
    var height: Int { isOdd ? 65 : 64 }

    /// The JPEG and the RGB pixels a perfect decoder would show for it.
    func make() throws -> (jpeg: [UInt8], expected: [UInt8]) {
        let rgb = TestImage.rgb(width: width, height: height)
        switch self {
        case .yuv420, .oddSize420: return (try TestImage.jpeg(width: width, height: height, subsampling: .s420), rgb)
        case .yuv444: return (try TestImage.jpeg(subsampling: .s444), rgb)
        case .yuv422, .oddSize422: return (try TestImage.jpeg(width: width, height: height, subsampling: .s422), rgb)
        case .yuv440, .oddSize440: return (try TestImage.jpeg(width: width, height: height, subsampling: .s440), rgb)
        case .yuv411: return (try TestImage.jpeg(subsampling: .s411), rgb)
        case .gray, .oddSizeGray:
            let gray = (0..<(width * height)).map { UInt8($0 % width * 255 / (width - 1)) }
            return (try JPEGEncoder.encode(gray: gray, width: width, height: height), gray.flatMap { [$0, $0, $0] })
        case .cmyk:
            // Inverted (Adobe) CMYK: k = max(r, g, b) and c·k/255 = r.
            var cmyk: [UInt8] = []
            for pixel in 0..<(width * height) {
                let r = Int(rgb[pixel * 3]), g = Int(rgb[pixel * 3 + 1]), b = Int(rgb[pixel * 3 + 2])
                let k = max(r, g, b, 1)
                cmyk += [UInt8(r * 255 / k), UInt8(g * 255 / k), UInt8(b * 255 / k), UInt8(k)]
            }
            return (try JPEGEncoder.encode(cmyk: cmyk, width: width, height: height), rgb)
        }
    }
}

@Suite struct WebPOutputTests {
    @Test(arguments: SourceKind.allCases)
    func webpIsValidAndLooksLikeTheSource(_ kind: SourceKind) throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        let (jpeg, expected) = try kind.make()
        let result = try ImageTranscoder(format: .webp)
            .transcode(jpeg, metadata: CaptureMetadata(make: "Test", capturedAtMillis: 0))
        #expect(ImageSniffer.isWebP(result.bytes))
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        let path = try write(result.bytes, "out.webp", in: directory)
        let check = try webpinfoAccepts(path)
        #expect(check.ok, "\(check.report)")
        let decoded = try DecodedImage.decode(path, scratch: directory)
        #expect(decoded.width == kind.width && decoded.height == kind.height)
        // A smooth gradient at quality 75 stays within a few levels on average; a colour-range or plane mix-up
        // (wrong range, swapped or misplaced chroma) moves it by tens.
        let difference = decoded.meanDifference(to: expected)
        #expect(difference < 3, "mean difference \(difference)")
    }

    @Test func copiesAMultiChunkICCProfileIntoTheWebP() throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        let profile = ICCFixture.profile(padding: 70_000)
        let segments = ICCFixture.segments(profile)
        #expect(segments.count == 2)
        let jpeg = try TestImage.jpeg(segments: segments)
        let result = try ImageTranscoder(format: .webp).transcode(jpeg, metadata: CaptureMetadata())
        let paths = [try write(jpeg, "in.jpg", in: directory), try write(result.bytes, "out.webp", in: directory)]
        let tags = try ExifToolTags.read(paths)
        #expect(tags[0].string("ICC_Profile:ProfileDescription") == ICCFixture.description)
        #expect(tags[1].string("ICC_Profile:ProfileDescription") == ICCFixture.description)
        let info = try ExternalTool.run("webpinfo", [paths[1]])
        let report = info.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(
            info.ok && report.contains("Chunk ICCP at offset") && report.contains("length \(profile.count + 8)"),
            "\(info.stdout)")
    }

    @Test func inconsistentICCChunksAreSkippedWithAWarning() throws {
        let profile = ICCFixture.profile(padding: 70_000)
        let segments = ICCFixture.segments(profile)
        let jpeg = try TestImage.jpeg(segments: [segments[0]])  // chunk 2 of 2 missing
        let result = try ImageTranscoder(format: .webp).transcode(jpeg, metadata: CaptureMetadata())
        #expect(result.warnings.count == 1)
        #expect(TestImage.find(Array("ICCP".utf8), in: result.bytes) == nil)
    }

    @Test func lowerQualityGivesASmallerFile() throws {
        let jpeg = try TestImage.jpeg(width: 256, height: 192)
        let low = try ImageTranscoder(format: .webp, webpQuality: 10).transcode(jpeg, metadata: CaptureMetadata())
        let high = try ImageTranscoder(format: .webp, webpQuality: 95).transcode(jpeg, metadata: CaptureMetadata())
        #expect(low.bytes.count < high.bytes.count)
    }

    @Test(arguments: [Float(-1), 101, .nan])
    func invalidQualityIsRejected(_ quality: Float) throws {
        let error = #expect(throws: ImagingError.self) {
            try ImageTranscoder(format: .webp, webpQuality: quality).transcode(
                try TestImage.jpeg(), metadata: CaptureMetadata())
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test func concurrentTranscodesGiveIdenticalOutput() throws {
        let jpeg = try TestImage.cameraJPEG(width: 160, height: 120)
        let transcoder = ImageTranscoder(format: .webp)
        let reference = try transcoder.transcode(jpeg, metadata: ExifMergeTests.metadata).bytes
        let outputs = Mutex<[[UInt8]]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let bytes = (try? transcoder.transcode(jpeg, metadata: ExifMergeTests.metadata).bytes) ?? []
            outputs.withLock { $0.append(bytes) }
        }
        let all = outputs.withLock { $0 }
        #expect(all.count == 8 && all.allSatisfy { $0 == reference })
    }
}
