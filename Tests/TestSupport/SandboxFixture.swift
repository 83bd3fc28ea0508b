import Foundation
import SandboxKit
import Synchronization

/// One test's world: a temporary folder and a sandbox on port 0 that keeps its data inside it. Every test target's
/// harness builds on it and adds its own clients; `close()` stops the sandbox and removes the folder.
public final class SandboxFixture: Sendable {
    public let temp: TemporaryDirectory
    private let current: Mutex<Sandbox>

    /// Starts a sandbox whose data lives in `TEMP/sandbox`, configured by `configure`; the folder is removed again
    /// when the sandbox cannot start.
    public init(label: String, _ configure: (inout SandboxConfiguration) throws -> Void = { _ in }) throws {
        temp = try TemporaryDirectory(label)
        do {
            var configuration = SandboxConfiguration()
            configuration.dataDirectory = temp.file("sandbox")
            try configure(&configuration)
            current = Mutex(try Sandbox(configuration))
        } catch {
            temp.remove()
            throw error
        }
    }

    public var sandbox: Sandbox { current.withLock { $0 } }
    public var mapillary: MapillarySandbox { sandbox.mapillary }
    /// The IA half (the configuration must have one).
    public var ia: InternetArchiveSandbox { sandbox.internetArchive! }

    /// Stops the sandbox and starts it again with the same configuration on the same IA URLs, but with an empty IA
    /// (as `mapillary-archiver sandbox --port P` restarted, or as if IA had lost every item).
    public func restartEmpty() throws {
        try current.withLock { sandbox in
            sandbox = try sandbox.restartedWithEmptyInternetArchive(
                dataDirectory: temp.file("sandbox-" + UUID().uuidString))
        }
    }

    public func close() {
        sandbox.stop()
        temp.remove()
    }
}

extension MapillarySandbox {
    /// Ids of the user's images a correct archiver keeps (hostile records left out), in listing order.
    public func archivableIDs(_ user: String) -> [String] {
        expectedImages(user: user).filter(\.isArchivable).map(\.id)
    }
}

extension SandboxFixture {
    /// The same contributor some time later: a sandbox of its own (data in `TEMP/sandbox-later`) with `seed`, which
    /// gives the same first images again, now `imageCount` in all. The caller stops it.
    public func later(user: String, imageCount: Int, seed: UInt64) throws -> Sandbox {
        var later = SandboxConfiguration()
        later.users = [.init(name: user, imageCount: imageCount)]
        later.seed = seed
        later.dataDirectory = temp.file("sandbox-later")
        return try Sandbox(later)
    }
}
