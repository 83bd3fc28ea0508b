import Essentials
import Foundation
import HTTPClientKit
import InternetArchive
import Logging
import SandboxKit
import Synchronization
import TestSupport

/// Upload options with tiny parts, thresholds and waits, so every path runs in milliseconds.
func fastOptions() -> UploadOptions {
    var options = UploadOptions()
    options.retry = RetryPolicy(maxAttempts: 12, baseDelay: .milliseconds(2), maxDelay: .milliseconds(30))
    options.slowDownInitialDelay = .milliseconds(5)
    options.slowDownMaxDelay = .milliseconds(40)
    options.slowDownMaxWait = .seconds(30)
    options.verifyTimeout = .seconds(20)
    options.verifyInterval = .milliseconds(20)
    options.verifyMaxInterval = .milliseconds(100)
    options.multipartThreshold = 100 << 10
    options.partSize = 32 << 10
    options.minimumPartSize = 1
    options.stallTimeout = .seconds(30)
    return options
}

/// One test's world: the shared fixture (a temp folder, a sandbox with its IA half on and no Mapillary users, on
/// port 0), an HTTP client.
final class IAHarness: Sendable {
    let fixture: SandboxFixture
    let http: HTTPClient
    let credentials: IACredentials

    /// The account every harness sandbox knows (preloaded items name it as owner).
    static let account = InternetArchiveSandboxConfiguration.Account(
        accessKey: "TESTaccessKEY123", secretKey: "sEcReT-sandbox-42", email: "tester@example.org")

    init(_ configure: (inout InternetArchiveSandboxConfiguration) -> Void = { _ in }) throws {
        fixture = try SandboxFixture(label: "ia") { configuration in
            configuration.users = []
            var section = InternetArchiveSandboxConfiguration()
            section.accounts = [Self.account]
            configure(&section)
            configuration.internetArchive = section
        }
        http = HTTPClient()
        let ia = fixture.ia
        credentials = try IACredentials(accessKey: ia.accessKey, secretKey: ia.secretKey)
    }

    var temp: TemporaryDirectory { fixture.temp }
    var sandbox: Sandbox { fixture.sandbox }
    var ia: InternetArchiveSandbox { fixture.ia }

    /// Stops the sandbox and starts it again on the same IA URLs with no items, as if IA had lost everything.
    func restartEmpty() throws {
        try fixture.restartEmpty()
    }

    var endpoints: IAEndpoints { IAEndpoints(s3: ia.s3URL, archive: ia.archiveURL) }

    /// Every log line the harness's uploaders wrote.
    let logs = CapturingLogHandler.Store()

    func uploader(
        credentials: IACredentials? = nil,
        progress: (@Sendable (UploadProgress) -> Void)? = nil
    ) -> ItemUploader {
        let store = logs
        let logger = Logger(label: "ia-tests") { _ in CapturingLogHandler(store: store) }
        return ItemUploader(
            credentials: credentials ?? self.credentials, endpoints: endpoints, http: http,
            logger: logger, progress: progress)
    }

    /// Writes an item folder `identifier` with `files` (relative path → bytes) and, when given, a rip `.meta`.
    @discardableResult
    func makeItem(
        _ identifier: String, files: [String: [UInt8]],
        meta: [(key: String, values: [String])]? = nil
    ) throws -> String {
        let item = temp.file("items/" + identifier)
        try FileManager.default.createDirectory(atPath: item, withIntermediateDirectories: true)
        for (name, bytes) in files {
            let path = item + "/" + name
            try FileManager.default.createDirectory(
                atPath: DurableFile.parentDirectory(of: path),
                withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        if let meta {
            for (key, values) in meta {
                let folder = item + "/.meta/" + key
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                for (index, value) in values.enumerated() {
                    try Data(value.utf8).write(to: URL(fileURLWithPath: folder + "/\(index)"))
                }
            }
        }
        return item
    }

    /// S3 requests that carried an object body (PUT of files and parts).
    func bodyRequests() -> [IARequestRecord] {
        ia.requestLog().filter { $0.host == .s3 && $0.method == "PUT" }
    }

    func close() {
        http.shutdown()
        fixture.close()
    }
}

/// Deterministic bytes of any length.
func pattern(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    var x = UInt32(seed) &* 2_654_435_761 &+ 12345
    for i in 0..<count {
        x = x &* 1_103_515_245 &+ 12345
        out[i] = UInt8(truncatingIfNeeded: x >> 16)
    }
    return out
}

/// A box a progress handler can use to cancel the upload task it belongs to.
final class TaskCanceller: Sendable {
    private let task = Mutex<Task<UploadReport, any Error>?>(nil)
    private let fired = Atomic<Bool>(false)

    func set(_ value: Task<UploadReport, any Error>) {
        task.withLock { $0 = value }
        if fired.load(ordering: .relaxed) { value.cancel() }
    }

    func cancel() {
        guard !fired.exchange(true, ordering: .relaxed) else { return }
        task.withLock { $0?.cancel() }
    }

    var didCancel: Bool { fired.load(ordering: .relaxed) }
}

/// A swift-log handler that keeps every message (with its metadata) for assertions.
struct CapturingLogHandler: LogHandler {
    final class Store: Sendable {
        let lines = Mutex<[String]>([])
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        store.lines.withLock { $0.append("\(event.level) \(event.message) \(event.metadata ?? [:])") }
    }
}
