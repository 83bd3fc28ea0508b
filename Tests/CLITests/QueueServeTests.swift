import Campaign
import Foundation
import HTTPServerKit
import Synchronization
import Testing
import TestSupport

/// `mapillary-archiver queue serve` as a user runs it: the page in a real browser, a port in use, a bad address.
@Suite struct QueueServeTests {
    /// Debian's python3, where python3-selenium lives (a python3 earlier on PATH, from pyenv say, lacks it).
    static let python =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
    static let script = DistributionFilesTests.root + "/Tests/CLITests/Browser/campaign_page.py"

    /// Starts `queue serve --port 0` on `queue` and returns it with the URL it printed.
    static func serve(_ queue: String, _ harness: CLIHarness) async throws -> (BinaryProcess, String) {
        let server = try harness.start(["queue", "serve", "--port", "0", "--queue", queue])
        let output = harness.temp.file("run-1.out")
        for _ in 0..<600 {
            let printed = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if let url = printed.firstMatch(of: #/serving the campaign page at (http://127\.0\.0\.1:[0-9]+/) /#)?.1 {
                return (server, String(url))
            }
            guard server.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let result = await server.wait(timeout: .seconds(5))
        throw ServeFailure(description: "queue serve printed no URL: \(result.transcript)")
    }

    /// A queue at `path` with one job.
    static func queue(_ path: String) throws {
        let queue = try JobQueue(.sqlite(path: path))
        defer { queue.close() }
        _ = try queue.add([JobSpec(username: "alice", quality: "2048", webp: true)])
    }

    struct ServeFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// The page in headless Chromium (Tests/CLITests/Browser/campaign_page.py): the counts, the plot and a
    /// failure's sentence are shown, and when a worker completes a job the page shows it without a reload.
    /// Never skipped: without chromium, chromium-driver or python3-selenium (`make setup-test`) it fails.
    @Test func thePageShowsTheCampaignInABrowserAndFollowsIt() async throws {
        let harness = try CLIHarness(label: "serve", users: [])
        defer { harness.close() }
        let path = harness.temp.file("campaign.sqlite")
        let queue = try JobQueue(.sqlite(path: path))
        defer { queue.close() }
        _ = try queue.add(
            ["alice", "bob", "carol", "dave", "erin"].map { JobSpec(username: $0, quality: "2048", webp: true) })
        for user in ["alice", "bob"] {
            let job = try #require(try queue.claim(worker: "w1", host: "box-a"))
            try queue.complete(
                job,
                result: JobResult(
                    identifier: "mapillary-\(user)-2048-webp", images: 300, bytes: 90_000_000,
                    uploaded: true, verified: true))
        }
        let sentence = "Mapillary answered <503 Service Unavailable> 8 times & gave up on the listing; try again later"
        let carol = try #require(try queue.claim(worker: "w2", host: "box-b"))
        try queue.fail(carol, sentence: sentence, kind: .permanent)
        let dave = try #require(try queue.claim(worker: "w2", host: "box-b"))
        try queue.renew(dave, progress: JobProgress(images: 100, listed: 400, listingComplete: true, bytes: 30_000_000))

        let (server, url) = try await Self.serve(path, harness)
        let archive = try #require(harness.environment["IA_ARCHIVE_URL"])
        let expectations: [String: Any] = [
            "counts": ["pending": 1, "running": 1, "done": 2, "failed": 1, "total": 5],
            "sentence": sentence,
            "link": archive + "/details/mapillary-alice-2048-webp",
            "after": [
                "counts": ["pending": 1, "running": 0, "done": 3, "failed": 1, "total": 5],
                "link": archive + "/details/mapillary-dave-2048-webp",
            ],
        ]
        let folder = harness.temp.file("browser")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let json = String(decoding: try JSONSerialization.data(withJSONObject: expectations), as: UTF8.self)
        let ended = Mutex(false)
        let browser = Task {
            defer { ended.withLock { $0 = true } }
            return try await ExternalTool.runDetached(Self.python, [Self.script, url, folder, json])
        }

        // Once the browser has checked the page as it was, a worker completes dave's job.
        var loaded = false
        for _ in 0..<3000 where !loaded && !ended.withLock({ $0 }) {
            try await Task.sleep(for: .milliseconds(100))
            loaded = FileManager.default.fileExists(atPath: folder + "/loaded")
        }
        if loaded {
            try queue.complete(
                dave,
                result: JobResult(
                    identifier: "mapillary-dave-2048-webp", images: 400, bytes: 120_000_000,
                    uploaded: true, verified: true))
        }
        _ = FileManager.default.createFile(atPath: folder + "/completed", contents: Data())
        let result = try await browser.value
        if !result.ok {
            // The test's folder goes away; the browser's last view stays for whoever reads the failure.
            let kept = NSTemporaryDirectory() + "campaign-page-failure-\(getpid()).png"
            try? FileManager.default.copyItem(atPath: folder + "/page.png", toPath: kept)
            Issue.record("the browser's check failed (its last view: \(kept)):\n\(result.stdout)\(result.stderr)")
        }

        server.send(SIGTERM)
        let stopped = await server.wait(timeout: .seconds(30))
        #expect(stopped.status == 0 && !stopped.killedBySignal && !stopped.timedOut, "\(stopped.transcript)")
    }

    @Test func aPortInUseIsOneSentenceAndExitOne() async throws {
        let harness = try CLIHarness(label: "serve", users: [])
        defer { harness.close() }
        let other = try HTTPServer { _, response in response.send(status: 200) }
        defer { other.stop() }
        try Self.queue(harness.temp.file("q.sqlite"))

        let result = try await harness.run([
            "queue", "serve", "--port", String(other.port), "--queue", harness.temp.file("q.sqlite"),
        ])
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "error: cannot serve the campaign page on 127.0.0.1 port \(other.port): another program listens there; stop it, or give queue serve another --port\n"
        )
        #expect(result.stdout.isEmpty)
    }

    @Test func anAddressThatIsNotOneIsAUsageError() async throws {
        let harness = try CLIHarness(label: "serve", users: [])
        defer { harness.close() }
        let result = try await harness.run([
            "queue", "serve", "--listen", "example.org", "--queue", harness.temp.file("q.sqlite"),
        ])
        #expect(result.status == 2)
        #expect(
            result.stderr.hasPrefix(
                "error: --listen must be a numeric address of this machine (127.0.0.1, 0.0.0.0, ::1, ::), not 'example.org'\n"
            ))
    }

    @Test func listeningOnEveryNetworkWarnsThatThePageIsOpen() async throws {
        let harness = try CLIHarness(label: "serve", users: [])
        defer { harness.close() }
        try Self.queue(harness.temp.file("q.sqlite"))
        let server = try harness.start([
            "queue", "serve", "--listen", "0.0.0.0", "--port", "0", "--queue", harness.temp.file("q.sqlite"),
        ])
        var warned = false
        for _ in 0..<600 where !warned && server.isRunning {
            try await Task.sleep(for: .milliseconds(100))
            warned = ((try? String(contentsOfFile: harness.temp.file("run-1.err"), encoding: .utf8)) ?? "").contains(
                "warning: ")
        }
        server.send(SIGINT)
        let result = await server.wait(timeout: .seconds(30))
        #expect(result.stderr.contains("warning: the campaign page listens on 0.0.0.0 port "))
        #expect(
            result.stderr.contains(
                ": anyone who can reach it reads it (usernames, error sentences), and it has no password; keep it behind a firewall or a proxy that asks for one\n"
            ))
        #expect(result.status == 0, "\(result.transcript)")
    }
}
