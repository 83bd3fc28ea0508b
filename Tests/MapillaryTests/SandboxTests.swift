import Foundation
import HTTPClientKit
import Mapillary
import SandboxKit
import Synchronization
import Testing
import TestSupport

/// The sandbox's own promises, checked with independent readers where they exist.
@Suite struct SandboxTests {
    @Test func syntheticImagesAreRealJPEGsWithTheCamerasOwnEXIF() throws {
        let h = try Harness { $0.users = [.init(name: "alice", imageCount: 10)] }
        defer { h.close() }
        let image = try #require(
            h.sandbox.mapillary.expectedImages(user: "alice").first { !$0.isPano && $0.capturedAt != nil })
        let file = h.temp.file("photo.jpg")
        try Data(h.sandbox.mapillary.imageBytes(id: image.id, quality: .q256)).write(to: URL(fileURLWithPath: file))
        let exif = try ExternalTool.run(
            "exiftool",
            [
                "-s", "-s", "-s", "-n", "-Make", "-Model", "-Software", "-Orientation",
                "-DateTimeOriginal", "-ExposureTime", "-FNumber", "-ISO",
                "-ImageWidth", "-ImageHeight", "-FileType", file,
            ])
        #expect(exif.ok, "\(exif.stderr)")
        let lines = exif.stdout.split(separator: "\n").map(String.init)
        let camera = try #require(h.sandbox.mapillary.cameraEXIF(id: image.id, quality: .q256))
        #expect(lines.count == 11, "\(exif.stdout)")
        #expect(lines[0] == image.make && lines[1] == image.model)
        #expect(lines[2] == camera.software)
        #expect(lines[3] == "1")
        let local = SandboxClock.exifDateTime(
            milliseconds: image.capturedAt!, offsetMinutes: image.cameraUTCOffsetMinutes)
        #expect(lines[4] == local, "camera clock in local time")
        #expect(
            abs(Double(lines[5])! - Double(camera.exposureTime.numerator) / Double(camera.exposureTime.denominator))
                < 1e-9)
        #expect(abs(Double(lines[6])! - Double(camera.fNumber.numerator) / Double(camera.fNumber.denominator)) < 1e-9)
        #expect(lines[7] == String(camera.iso))
        #expect(lines[8] == "256" && lines[9] == "192")
        #expect(lines[10] == "JPEG")
        let validation = try ExternalTool.run("exiftool", ["-validate", "-warning", "-a", "-s", "-s", "-s", file])
        #expect(validation.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "OK", "\(validation.stdout)")
    }

    @Test(arguments: [(SandboxQuality.q256, 256, 192, 128), (.q1024, 1024, 768, 512), (.original, 1600, 1200, 800)])
    func renditionsHaveTheirSizesAndPanoramasAreTwoToOne(
        quality: SandboxQuality, width: Int, height: Int, panoHeight: Int
    ) throws {
        let h = try Harness {
            $0.users = [.init(name: "alice", imageCount: 12)]; $0.originalSize = PixelSize(width: 1600, height: 1200)
        }
        defer { h.close() }
        let images = h.sandbox.mapillary.expectedImages(user: "alice")
        let flat = try #require(images.first { !$0.isPano })
        let pano = try #require(images.first { $0.isPano })
        for (image, expectedHeight) in [(flat, height), (pano, panoHeight)] {
            let file = h.temp.file("\(image.id).jpg")
            try Data(h.sandbox.mapillary.imageBytes(id: image.id, quality: quality)).write(
                to: URL(fileURLWithPath: file))
            let size = try ExternalTool.run("exiftool", ["-s", "-s", "-s", "-ImageSize", file])
            #expect(size.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(width)x\(expectedHeight)")
        }
    }

    @Test func theSameSeedGivesTheSameWorldAndAnotherSeedAnotherOne() throws {
        let users: [SandboxConfiguration.User] = [
            .init(name: "alice", imageCount: 30), .init(name: "bob", imageCount: 5),
        ]
        let a = try Harness(label: "seed-a") {
            $0.users = users; $0.seed = 9
        }
        defer { a.close() }
        let b = try Harness(label: "seed-b") {
            $0.users = users; $0.seed = 9
        }
        defer { b.close() }
        let c = try Harness(label: "seed-c") {
            $0.users = users; $0.seed = 10
        }
        defer { c.close() }
        let idsA = a.sandbox.mapillary.expectedImages(user: "alice").map(\.id)
        #expect(idsA == b.sandbox.mapillary.expectedImages(user: "alice").map(\.id))
        #expect(Set(idsA).isDisjoint(with: c.sandbox.mapillary.expectedImages(user: "alice").map(\.id)))
        #expect(idsA.allSatisfy { $0.count == 16 && $0.allSatisfy(\.isNumber) })
        #expect(
            try a.sandbox.mapillary.imageBytes(id: idsA[3], quality: .q256)
                == b.sandbox.mapillary.imageBytes(id: idsA[3], quality: .q256))
        #expect(a.sandbox.token == b.sandbox.token && a.sandbox.token.hasPrefix("MLY|"))
        let sequences = a.sandbox.mapillary.expectedImages(user: "alice").map(\.sequence)
        #expect(sequences.allSatisfy { $0.count == 22 })
        #expect(Dictionary(grouping: sequences, by: { $0 }).values.allSatisfy { $0.count <= 50 })
    }

    @Test func usersLiveInEveryHemisphere() throws {
        let names = (0..<16).map { "user\($0)" }
        let h = try Harness { $0.users = names.map { .init(name: $0, imageCount: 1) } }
        defer { h.close() }
        let origins = names.compactMap { h.sandbox.mapillary.expectedImages(user: $0).first }
        let quadrants = Set(origins.map { ($0.latitude < 0 ? 1 : 0) + ($0.longitude < 0 ? 2 : 0) })
        #expect(quadrants.count == 4)
    }

    @Test func theCDNCountsCredentialsAndRefusesTamperedURLs() async throws {
        let h = try Harness { $0.users = [.init(name: "alice", imageCount: 2)] }
        defer { h.close() }
        let image = try #require(h.sandbox.mapillary.expectedImages(user: "alice").first)
        let url = try #require(h.sandbox.mapillary.thumbURL(id: image.id, quality: .q256))
        #expect(url.hasPrefix(h.sandbox.cdnURL + "/m1/v/t6/"))
        #expect(url.contains("&oh=00_") && url.contains("&oe="))
        let leaky = try await h.http.send(
            HTTPRequest(url: url, headers: [HTTPHeader("Authorization", "OAuth " + h.sandbox.token)]))
        #expect(leaky.status == 200)
        #expect(
            h.sandbox.mapillary.counters.cdnRequestsWithCredentials == 1, "the counter the other tests rely on works")
        let tampered = try await h.http.send(
            HTTPRequest(url: url.replacingOccurrences(of: "_256.jpg", with: "_1024.jpg")))
        #expect(tampered.status == 403 && tampered.text == "Bad URL hash")
        h.sandbox.mapillary.advanceClock(by: .seconds(4 * 24 * 3600))
        let expired = try await h.http.send(HTTPRequest(url: url))
        #expect(expired.status == 403 && expired.text == "URL signature expired")
        #expect(expired.header("Content-Type")?.hasPrefix("text/plain") == true)
    }

    @Test func theAPITakesTheTokenFromTheHeaderOrTheQueryAndRefusesOthers() async throws {
        let h = try Harness { $0.users = [.init(name: "alice", imageCount: 2)] }
        defer { h.close() }
        let base = h.sandbox.apiURL + "/images?creator_username=alice&fields=id"
        let viaQuery = try await h.http.send(
            HTTPRequest(url: base + "&access_token=" + h.sandbox.token.replacingOccurrences(of: "|", with: "%7C")))
        #expect(viaQuery.status == 200)
        let missing = try await h.http.send(HTTPRequest(url: base))
        #expect(
            missing.status == 401 && missing.text.contains("\"code\":190") && missing.text.contains("OAuthException"))
        let unknown = try await h.http.send(
            HTTPRequest(
                url: h.sandbox.apiURL + "/1234567890123456?fields=id",
                headers: [HTTPHeader("Authorization", "OAuth " + h.sandbox.token)]))
        #expect(unknown.status == 404 && unknown.text.contains("does not exist"))
    }

    @Test func realJPEGsFromAFolderAreServedInsteadOfSyntheticOnes() async throws {
        let folder = try TemporaryDirectory("real-jpegs")
        defer { folder.remove() }
        let files = try (0..<2).map { i -> [UInt8] in
            let jpeg = try SyntheticJPEG.make(width: 64 + 8 * i, height: 48, seed: UInt64(i))
            try Data(jpeg).write(to: URL(fileURLWithPath: folder.file("real-\(i).jpg")))
            return jpeg
        }
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: folder.file("notes.txt")))
        let h = try Harness {
            $0.users = [.init(name: "alice", imageCount: 5)]; $0.imagesFrom = folder.path
        }
        defer { h.close() }
        let listing = try await h.listAll(user: "alice")
        for (index, record) in listing.records.enumerated() {
            let download = try await h.client.downloadImage(
                id: record.id, url: record.thumbURL, quality: .q256, maxBytes: 1 << 20)
            #expect(download.bytes == files[index % 2])
        }
    }

    @Test func componentsPlugInBesideTheMapillaryHalf() throws {
        let stops = Mutex(0)
        final class Probe: SandboxComponent {
            let port: Int
            let onStop: @Sendable () -> Void
            init(port: Int, onStop: @escaping @Sendable () -> Void) { self.port = port; self.onStop = onStop }
            var bannerLines: [String] { ["  probe      port \(port)"] }
            var environment: [(name: String, value: String)] { [("PROBE_URL", "http://127.0.0.1:\(port)")] }
            func stop() { onStop() }
        }
        struct ProbeFactory: SandboxComponentFactory {
            let onStop: @Sendable () -> Void
            func start(context: SandboxContext) throws -> any SandboxComponent {
                Probe(port: context.port(0), onStop: onStop)
            }
        }
        let temp = try TemporaryDirectory("components")
        defer { temp.remove() }
        var configuration = SandboxConfiguration()
        configuration.dataDirectory = temp.path
        configuration.components = [ProbeFactory(onStop: { stops.withLock { $0 += 1 } })]
        let sandbox = try Sandbox(configuration)
        #expect(sandbox.component(Probe.self)?.port == 0, "port 0 stays ephemeral for components too")
        #expect(sandbox.banner.contains("probe      port 0"))
        #expect(
            sandbox.banner.contains(
                "export MAPILLARY_API_URL=\(sandbox.apiURL) MAPILLARY_TOKEN='\(sandbox.token)' PROBE_URL="))
        #expect(sandbox.banner.contains(sandbox.cdnURL))
        #expect(sandbox.apiURL != sandbox.cdnURL)
        sandbox.stop()
        sandbox.stop()
        #expect(stops.withLock { $0 } == 1)
    }

    @Test func pregeneratedImagesAreServedFromTheCache() async throws {
        let h = try Harness {
            $0.users = [.init(name: "alice", imageCount: 8), .init(name: "mal", imageCount: 25, kind: .hostile)]
        }
        defer { h.close() }
        let made = try h.sandbox.mapillary.pregenerate(user: "alice", quality: .q256)
        #expect(made.images == 8)
        var total: Int64 = 0
        for image in h.sandbox.mapillary.expectedImages(user: "alice") {
            total += Int64(try h.sandbox.mapillary.imageBytes(id: image.id, quality: .q256).count)
        }
        #expect(made.bytes == total)
        let cached = try FileManager.default.contentsOfDirectory(atPath: h.temp.file("sandbox/mapillary/images/256"))
        #expect(cached.filter { $0.hasSuffix(".jpg") }.count == 8)
        #expect(
            try h.sandbox.mapillary.pregenerate(user: "mal", quality: .q256).images == 24,
            "all but the one without a rendition")
    }

    @Test func badConfigurationsAreRefusedWithOneSentence() {
        var configuration = SandboxConfiguration()
        configuration.users = [.init(name: "a", imageCount: 1), .init(name: "a", imageCount: 2)]
        #expect { try Sandbox(configuration) } throws: {
            ($0 as? SandboxError)?.description == "the sandbox user a is listed twice; give each user once"
        }
        configuration.users = [.init(name: "a", imageCount: 1)]
        configuration.faultRate = 2
        #expect { try Sandbox(configuration) } throws: { ($0 as? SandboxError)?.code == .invalidConfiguration }
    }
}

@Suite struct SandboxUserArgumentTests {
    @Test(arguments: [
        ("alice", "alice", 120, SandboxConfiguration.UserKind.normal), ("bob:7", "bob", 7, .normal),
        ("mal:40:hostile", "mal", 40, .hostile), ("x:3:non-jpeg", "x", 3, .nonJPEG), ("e:9:empty", "e", 0, .empty),
    ])
    func usersParseFromTheCommandLineForm(
        text: String, name: String, count: Int, kind: SandboxConfiguration.UserKind
    ) throws {
        let user = try SandboxConfiguration.User(parsing: text)
        #expect(user == SandboxConfiguration.User(name: name, imageCount: count, kind: kind))
        #expect(user.imageCount == count)
    }

    @Test(arguments: ["", ":5", "a:b", "a:-1", "a:1:weird", "a:1:normal:extra"])
    func badUserArgumentsAreRefused(text: String) {
        #expect(throws: SandboxError.self) { try SandboxConfiguration.User(parsing: text) }
    }
}
