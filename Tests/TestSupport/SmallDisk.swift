import Foundation

/// A tiny tmpfs mounted inside a test folder, to make writes fail with ENOSPC (or, made read-only, with EROFS).
/// Needs root; tests that use it are skipped elsewhere.
public struct SmallDisk: Sendable {
    public let path: String

    /// True when this process may mount a tmpfs (root in a mount-capable environment).
    public static let isAvailable: Bool = {
        guard getuid() == 0, let dir = try? TemporaryDirectory("mountprobe") else { return false }
        defer { dir.remove() }
        let mounted =
            (try? ExternalTool.run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.path]))?.ok ?? false
        if mounted { _ = try? ExternalTool.run("umount", [dir.path]) }
        return mounted
    }()

    /// Mounts a tmpfs of `kilobytes` at `path` (created if missing).
    public init(at path: String, kilobytes: Int) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try ExternalTool.run("mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path])
        guard result.ok else { throw TestFailure("mount failed: \(result.stderr)") }
        self.path = path
    }

    /// Mounts it again read-only, keeping what was written.
    public func makeReadOnly() throws {
        let result = try ExternalTool.run("mount", ["-o", "remount,ro", path])
        guard result.ok else { throw TestFailure("remount read-only failed: \(result.stderr)") }
    }

    public func unmount() {
        _ = try? ExternalTool.run("umount", [path])
    }
}
