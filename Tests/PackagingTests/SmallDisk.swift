import Foundation
import TestSupport

/// A tiny tmpfs mounted inside a test folder, to make writes fail with ENOSPC. Needs root; tests
/// that use it are skipped elsewhere.
struct SmallDisk {
    let path: String

    /// True when this process may mount a tmpfs (root in a mount-capable environment).
    static let isAvailable: Bool = {
        guard getuid() == 0, let dir = try? TemporaryDirectory("mountprobe") else { return false }
        defer { dir.remove() }
        let mounted = (try? ExternalTool.run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.path]))?.ok ?? false
        if mounted { _ = try? ExternalTool.run("umount", [dir.path]) }
        return mounted
    }()

    /// Mounts a tmpfs of `kilobytes` at `path` (created if missing).
    init(at path: String, kilobytes: Int) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try ExternalTool.run("mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path])
        guard result.ok else { throw ReaderError(message: "mount failed: \(result.stderr)") }
        self.path = path
    }

    func unmount() {
        _ = try? ExternalTool.run("umount", [path])
    }
}
