import Archiver
import Essentials
import Foundation
import InternetArchive
import Packaging
import SandboxKit

/// `demo`: the whole toolkit end to end, offline. Starts the sandbox in-process (Mapillary + IA), archives two
/// sample contributors (download → EXIF/XMP → WebP → per-date tars → item → upload → remote verify) and says
/// what each step did and where everything went.
public struct DemoRun: Sendable {
    public let folder: String
    public let users: [SandboxConfiguration.User]
    public let env: RunEnvironment
    public let print: @Sendable (String) -> Void

    public init(
        folder: String,
        users: [SandboxConfiguration.User] = [
            .init(name: "alice", imageCount: 60),
            .init(name: "bob", imageCount: 40),
        ],
        env: RunEnvironment,
        print: @escaping @Sendable (String) -> Void = {
            Swift.print($0); fflush(nil)
        }
    ) {
        self.folder = folder
        self.users = users
        self.env = env
        self.print = print
    }

    /// Runs the demo; returns the exit status (0 when every step succeeded).
    public func run() async throws -> Int32 {
        let started = Date()
        var configuration = SandboxConfiguration()
        configuration.users = users
        configuration.originalSize = PixelSize(width: 1280, height: 960)
        configuration.faultRate = 0.02
        configuration.dataDirectory = folder + "/sandbox"
        var ia = InternetArchiveSandboxConfiguration()
        ia.slowDownBurst = 2
        configuration.internetArchive = ia
        let sandbox = try Sandbox(configuration)
        defer { sandbox.stop() }
        guard let archive = sandbox.internetArchive else {
            throw ArchiverError(.internalError, "the sandbox started without its Internet Archive half")
        }

        print(
            """
            1. Sandbox: a fake Mapillary (Graph API \(sandbox.apiURL), CDN \(sandbox.cdnURL)) and a fake Internet
               Archive (S3 \(archive.s3URL), site \(archive.archiveURL)) on loopback, with 2% of Mapillary requests
               failing on purpose and IA answering the first uploads with SlowDown.
            """)
        let endpoints = IAEndpoints(s3: archive.s3URL, archive: archive.archiveURL)
        var upload = UploadOptions()
        upload.verifyTimeout = .seconds(60)
        upload.verifyInterval = .milliseconds(200)
        upload.slowDownInitialDelay = .milliseconds(200)
        upload.retry = .init(maxAttempts: 8, baseDelay: .milliseconds(100), maxDelay: .seconds(2))
        let options = DownloadOptions(
            usernames: users.map(\.name), token: sandbox.token, outputDirectory: folder + "/items",
            cacheDirectory: folder + "/cache", quality: .original, apiURL: sandbox.apiURL, endpoints: endpoints,
            uploadOptions: upload,
            credentials: try IACredentials(
                accessKey: archive.accessKey, secretKey: archive.secretKey, source: "sandbox"))
        var withUpload = options
        withUpload.upload = true
        print(
            "2. Download + package + upload: mapillary-archiver \(users.map(\.name).joined(separator: " ")) --upload (output \(options.outputDirectory))"
        )
        let report = await DownloadBatch(options: withUpload, env: env).run()
        env.console.clearAllStatus()
        print(report.table())

        var ok = report.exitCode == 0
        print("3. What is in each item (checked by `mapillary-archiver verify --remote`):")
        for user in report.users {
            guard case .published(let path) = user.outcome else { continue }
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
            let tars = names.filter { $0.hasSuffix(".tar") }
            print("   \(path)/")
            print(
                "     \(tars.count) tars (\(tars.prefix(3).joined(separator: ", "))\(tars.count > 3 ? ", …" : "")), "
                    + names.filter { !$0.hasSuffix(".tar") }.joined(separator: ", "))
            if let title = (try? MetaFolder.read(item: path))??["title"].first { print("     .meta/title/0: \(title)") }
            var problems = await ItemVerifier.verify(
                item: path, options: VerifyOptions(expectedIDs: ItemStateReader.doneIDs(item: path)))
            problems += await RemoteCheck(env: env, endpoints: endpoints, credentials: options.credentials).problems(
                item: path)
            if problems.isEmpty {
                print(
                    "     verify: every tar reads to its end, members match metadata.jsonl.gz, and IA lists every file with the same md5"
                )
            } else {
                ok = false
                problems.forEach { print("     problem: \($0)") }
            }
        }
        let m = sandbox.mapillary.counters
        let c = archive.counters
        print(
            """
            4. What the services saw: Mapillary \(m.apiRequests) API requests, \(m.imagesServed) images served, \
            \(m.injected5xx + m.injectedResets) faults injected (all retried), \(m.cdnRequestsWithCredentials) CDN requests carrying the token; \
            IA \(c.filesStored) files stored, \(c.slowDowns) SlowDown answers waited out, \(ByteFormat.size(archive.totalBytesReceived)) received.
            Done in \(ByteFormat.duration(seconds: Date().timeIntervalSince(started))). Everything is under \(folder).
            """)
        return ok ? 0 : 1
    }
}
