import Foundation
import Sandbox
import Synchronization
import TestSupport

/// One test's world for the binary: a temp folder (home, cache, output), a sandbox with both halves on port 0
/// in the test process, and the environment that points the binary at it.
final class CLIHarness: Sendable {
    let temp: TemporaryDirectory
    private let current: Mutex<Sandbox>
    private let runs = Atomic<Int>(0)

    init(label: String = "cli", users: [SandboxConfiguration.User], seed: UInt64 = 1,
         _ configure: (inout SandboxConfiguration) -> Void = { _ in }) throws {
        temp = try TemporaryDirectory(label)
        var configuration = SandboxConfiguration()
        configuration.users = users
        configuration.seed = seed
        configuration.dataDirectory = temp.file("sandbox")
        configuration.internetArchive = InternetArchiveSandboxConfiguration()
        configure(&configuration)
        do {
            try FileManager.default.createDirectory(atPath: temp.file("home"), withIntermediateDirectories: true)
            current = Mutex(try Sandbox(configuration))
        } catch {
            temp.remove()
            throw error
        }
    }

    var sandbox: Sandbox { current.withLock { $0 } }

    /// Stops the sandbox and starts it again with the same configuration on the same IA URLs, but with an empty IA
    /// (as `mapillary-archiver sandbox --port P` restarted, or as if IA had lost every item).
    func restartEmpty() throws {
        try current.withLock { sandbox in
            sandbox = try sandbox.restartedWithEmptyInternetArchive(dataDirectory: temp.file("sandbox-" + UUID().uuidString))
        }
    }

    var mapillary: MapillarySandbox { sandbox.mapillary }
    var ia: InternetArchiveSandbox { sandbox.internetArchive! }
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
        return try BinaryProcess(arguments: arguments, environment: environment, outputPrefix: temp.file("run-\(number)"),
                                 currentDirectory: temp.path)
    }

    /// Runs `mapillary-archiver ARGS` to its end.
    func run(_ arguments: [String], timeout: Duration = .seconds(120)) async throws -> BinaryProcess.Result {
        try await start(arguments).wait(timeout: timeout)
    }

    /// Runs `mapillary-archiver ARGS… --output OUTPUT --quality 256` (a download) plus `extra`.
    func download(_ arguments: [String], _ extra: [String] = [], timeout: Duration = .seconds(120)) async throws -> BinaryProcess.Result {
        try await run(arguments + ["--output", output, "--quality", "256"] + extra, timeout: timeout)
    }

    func item(_ user: String, quality: String = "256", webp: Bool = true) -> String {
        output + "/mapillary-\(user)-\(quality)" + (webp ? "-webp" : "")
    }

    /// Ids of the user's images a correct archiver keeps.
    func archivableIDs(_ user: String) -> Set<String> {
        Set(mapillary.expectedImages(user: user).filter(\.isArchivable).map(\.id))
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
        sandbox.stop()
        temp.remove()
    }
}
