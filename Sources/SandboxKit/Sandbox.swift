import Essentials
import Foundation
import Synchronization

/// A local stand-in for the services the archiver talks to, on loopback ports: the Mapillary half
/// (Graph API and CDN) always, and every component of ``SandboxConfiguration/components`` (the
/// Internet Archive half) beside it. Tests start one per test on port 0; `mapillary-archiver sandbox`
/// starts one on a fixed port and prints ``banner``.
public final class Sandbox: Sendable {
    public let configuration: SandboxConfiguration
    /// Holds generated images (`mapillary/`) and one folder per component (`component-N/`).
    public let dataDirectory: String
    public let mapillary: MapillarySandbox
    /// Started components, in configuration order.
    public let components: [any SandboxComponent]
    private let ownsDataDirectory: Bool
    private let stopped = Atomic<Bool>(false)

    /// Port offsets each component may use, starting after the API (0) and the CDN (1).
    public static let portsPerComponent = 4

    /// Starts the Mapillary half, then each component; if one fails, whatever started is stopped.
    public init(_ configuration: SandboxConfiguration = SandboxConfiguration()) throws {
        self.configuration = configuration
        let owns = configuration.dataDirectory == nil
        let directory = try configuration.dataDirectory ?? Self.makeTemporaryDirectory()
        let mapillary: MapillarySandbox
        do {
            try DurableFile.makeDirectories(directory + "/mapillary")
            mapillary = try MapillarySandbox(configuration: configuration, dataDirectory: directory + "/mapillary")
        } catch {
            if owns { try? FileManager.default.removeItem(atPath: directory) }
            throw error
        }
        var started: [any SandboxComponent] = []
        for (index, factory) in configuration.components.enumerated() {
            do {
                let folder = directory + "/component-\(index)"
                try DurableFile.makeDirectories(folder)
                let context = SandboxContext(
                    configuration: configuration, dataDirectory: folder,
                    firstPortOffset: 2 + index * Self.portsPerComponent)
                started.append(try factory.start(context: context))
            } catch {
                for component in started.reversed() { component.stop() }
                mapillary.stop()
                if owns { try? FileManager.default.removeItem(atPath: directory) }
                throw error
            }
        }
        self.dataDirectory = directory
        self.ownsDataDirectory = owns
        self.mapillary = mapillary
        self.components = started
    }

    deinit {
        stop()
    }

    /// `MAPILLARY_API_URL` for the archiver.
    public var apiURL: String { mapillary.apiURL }
    public var cdnURL: String { mapillary.cdnURL }
    /// `MAPILLARY_TOKEN` for the archiver.
    public var token: String { mapillary.token }

    /// The first started component of type `T`.
    public func component<T: SandboxComponent>(_ type: T.Type) -> T? {
        components.lazy.compactMap { $0 as? T }.first
    }

    /// Environment a client run needs: `MAPILLARY_API_URL`, `MAPILLARY_TOKEN`, then the components'.
    public var environment: [(name: String, value: String)] {
        [("MAPILLARY_API_URL", apiURL), ("MAPILLARY_TOKEN", token)] + components.flatMap(\.environment)
    }

    /// What `mapillary-archiver sandbox` prints: URLs, token, users, faults, and the exports to use.
    public var banner: String {
        var lines = ["mapillary-archiver sandbox (seed \(configuration.seed)), data in \(dataDirectory)"]
        lines += mapillary.bannerLines
        for component in components { lines += component.bannerLines }
        lines.append("Use it with:")
        lines.append(
            "  export " + environment.map { "\($0.name)=\(Self.shellQuoted($0.value))" }.joined(separator: " "))
        return lines.joined(separator: "\n")
    }

    /// Stops every server (components first); removes the data folder when the sandbox made it.
    /// Safe to call more than once.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for component in components.reversed() { component.stop() }
        mapillary.stop()
        if ownsDataDirectory { try? FileManager.default.removeItem(atPath: dataDirectory) }
    }

    static func shellQuoted(_ value: String) -> String {
        let plain = value.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
                || "-_./:@%+=,".utf8.contains($0)
        }
        return plain ? value : "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private static func makeTemporaryDirectory() throws -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array((base + "/mapillary-sandbox-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw SandboxError(
                .fileAccess,
                "a temporary sandbox folder cannot be created under \(base); set TMPDIR or give a data folder")
        }
        return String(cString: made)
    }
}
