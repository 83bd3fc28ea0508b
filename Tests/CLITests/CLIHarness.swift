import Foundation
import SandboxKit
import Synchronization
import TestSupport

/// One test's world for the binary: the shared fixture (a temp folder for home, cache and output; a sandbox with
/// both halves on port 0 in the test process) and the environment that points the binary at it.
final class CLIHarness: Sendable {
    let fixture: SandboxFixture
    private let runs = Atomic<Int>(0)

    init(
        label: String = "cli", users: [SandboxConfiguration.User], seed: UInt64 = 1,
        _ configure: (inout SandboxConfiguration) -> Void = { _ in }
    ) throws {
        fixture = try SandboxFixture(label: label) { configuration in
            configuration.users = users
            configuration.seed = seed
            configuration.internetArchive = InternetArchiveSandboxConfiguration()
            configure(&configuration)
        }
        do {
            try FileManager.default.createDirectory(
                atPath: fixture.temp.file("home"), withIntermediateDirectories: true)
        } catch {
            fixture.close()
            throw error
        }
    }

    var temp: TemporaryDirectory { fixture.temp }
    var sandbox: Sandbox { fixture.sandbox }
    var mapillary: MapillarySandbox { fixture.mapillary }
    var ia: InternetArchiveSandbox { fixture.ia }

    /// Stops the sandbox and starts it again on the same IA URLs with an empty IA (``SandboxFixture/restartEmpty()``).
    func restartEmpty() throws {
        try fixture.restartEmpty()
    }
    var output: String { temp.file("output") }
    /// The default cache folder the binary uses here (`$XDG_CACHE_HOME/mapillary-archiver`).
    var cache: String { temp.file("xdg/mapillary-archiver") }

    /// Everything the binary sees: no variable of the test runner leaks in (no real token, keys or home).
    var environment: [String: String] {
        var env: [String: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": temp.file("home"),
            "XDG_CACHE_HOME": temp.file("xdg"),
        ]
        for (name, value) in sandbox.environment { env[name] = value }
        return env
    }

    /// Starts `mapillary-archiver ARGS`.
    func start(_ arguments: [String]) throws -> BinaryProcess {
        let number = runs.add(1, ordering: .relaxed).newValue
        return try BinaryProcess(
            arguments: arguments, environment: environment, outputPrefix: temp.file("run-\(number)"),
            currentDirectory: temp.path)
    }

    /// Runs `mapillary-archiver ARGS` to its end.
    func run(_ arguments: [String], timeout: Duration = .seconds(120)) async throws -> BinaryProcess.Result {
        try await start(arguments).wait(timeout: timeout)
    }

    /// Runs `mapillary-archiver ARGS… --output OUTPUT --quality 256` (a download) plus `extra`.
    func download(
        _ arguments: [String], _ extra: [String] = [], timeout: Duration = .seconds(120)
    ) async throws -> BinaryProcess.Result {
        try await run(arguments + ["--output", output, "--quality", "256"] + extra, timeout: timeout)
    }

    func item(_ user: String, quality: String = "256", webp: Bool = true) -> String {
        output + "/mapillary-\(user)-\(quality)" + (webp ? "-webp" : "")
    }

    /// How many times the CDN was asked for each image since the request log was last cleared.
    func cdnRequestsPerImage() -> [String: Int] {
        var counts: [String: Int] = [:]
        for request in mapillary.requestLog() where request.origin == .cdn {
            let name = request.path.split(separator: "/").last.map(String.init) ?? ""
            guard let underscore = name.lastIndex(of: "_") else { continue }
            counts[String(name[..<underscore]), default: 0] += 1
        }
        return counts
    }

    /// Runs `mapillary-archiver verify ITEM`.
    func verify(_ item: String) async throws -> BinaryProcess.Result {
        try await run(["verify", item])
    }

    func close() {
        fixture.close()
    }
}
