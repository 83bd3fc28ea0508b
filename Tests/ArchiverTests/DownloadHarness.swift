import Archiver
import Foundation
import HTTPClientKit
import InternetArchive
import Mapillary
import Packaging
import SandboxKit
import Synchronization
import TestSupport

/// Back-offs of milliseconds, so fault paths run fast.
let fastRetry = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(2), maxDelay: .milliseconds(40))

/// One test's world: the shared fixture (a temp folder, a sandbox on port 0 inside it, optionally with its IA half)
/// and a run environment whose console output is captured.
final class DownloadHarness: Sendable {
    let fixture: SandboxFixture
    let env: RunEnvironment
    private let captured = CapturedLines()

    init(
        label: String = "archiver", users: [SandboxConfiguration.User], seed: UInt64 = 1,
        dataDirectory: String? = nil, _ configure: (inout SandboxConfiguration) -> Void = { _ in }
    ) throws {
        fixture = try SandboxFixture(label: label) { configuration in
            configuration.users = users
            configuration.seed = seed
            if let dataDirectory { configuration.dataDirectory = dataDirectory }
            configure(&configuration)
        }
        let lines = captured
        let console = Console(options: .init(isTerminal: false, color: false, plainInterval: 3600)) { text in
            lines.append(text)
        }
        env = RunEnvironment(console: console)
    }

    var temp: TemporaryDirectory { fixture.temp }
    var sandbox: Sandbox { fixture.sandbox }
    var mapillary: MapillarySandbox { fixture.mapillary }

    /// Options for `users` into this test's output and cache folders: quality 256, tiny retries, no IA check.
    func options(_ users: [String], quality: Quality = .q256) -> DownloadOptions {
        DownloadOptions(
            usernames: users, token: sandbox.token, outputDirectory: output, cacheDirectory: cache,
            quality: quality, checkIA: false, apiURL: sandbox.apiURL, retry: fastRetry)
    }

    var output: String { temp.file("output") }
    var cache: String { temp.file("cache") }

    /// IA endpoints of the sandbox's IA half (nil without one).
    var endpoints: IAEndpoints? {
        sandbox.internetArchive.map { IAEndpoints(s3: $0.s3URL, archive: $0.archiveURL) }
    }

    func run(_ options: DownloadOptions) async -> BatchReport {
        await DownloadBatch(options: options, env: env).run()
    }

    /// Everything the run printed to the console so far.
    var consoleLines: [String] { captured.all }

    /// The item folder of `user` for `options`.
    func item(_ user: String, _ options: DownloadOptions) -> String {
        options.outputDirectory + "/" + options.identifier(for: user)
    }

    /// `verify`'s problems for an item (none when it is sound).
    func verify(_ item: String) async -> [String] {
        await ItemVerifier.verify(item: item, options: VerifyOptions(expectedIDs: ItemStateReader.doneIDs(item: item)))
    }

    /// The record ids in `metadata.jsonl.gz`, in file order (read with Python's gzip).
    func recordIDs(_ item: String) async throws -> [String] {
        let script = """
            import gzip, json, sys
            print(json.dumps([json.loads(line)["id"] for line in gzip.open(sys.argv[1], "rt", encoding="utf-8") if line.strip()]))
            """
        let result = try await ExternalTool.runDetached("python3", ["-c", script, item + "/metadata.jsonl.gz"])
        guard result.ok else { throw TarListingError(message: "python gzip failed: \(result.stderr)") }
        return try JSONDecoder().decode([String].self, from: Data(result.stdout.utf8))
    }

    func close() {
        env.shutdown()
        fixture.close()
    }
}

/// Console text, split into lines, from any thread.
final class CapturedLines: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ text: String) {
        lines.withLock { $0.append(contentsOf: text.split(separator: "\n").map(String.init)) }
    }

    var all: [String] { lines.withLock { $0 } }
}

extension SandboxImage {
    /// The `{date}/{sequence}/{id}.ext` member an archiver must write for this image.
    func memberName(ext: String) -> String {
        (captureDateUTC ?? "unknown-date") + "/" + sequence + "/" + id + "." + ext
    }

    /// The mtime an archiver must give this image: capture time in whole seconds, 0 without one.
    var expectedMTime: Int64 {
        capturedAt.map { $0 / 1000 - ($0 % 1000 < 0 ? 1 : 0) } ?? 0
    }
}
