import Foundation

/// A private folder for the targets whose parsers read files: made once per process under `$TMPDIR` and removed
/// when the process exits normally (scripts/fuzz.sh points `$TMPDIR` into the fuzz build folder).
enum FuzzWorkspace {
    static let path: String = {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array((base + "/parser-fuzz-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { fail("cannot make a work folder under \(base)") }
        atexit { FuzzWorkspace.remove(FuzzWorkspace.path) }
        return String(cString: made)
    }()

    /// Replaces the file at `path` with `bytes`.
    static func write(_ bytes: [UInt8], to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { fail("cannot write \(path) (errno \(errno))") }
        defer { close(fd) }
        bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let wrote = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
                guard wrote > 0 else { fail("cannot write \(path) (errno \(errno))") }
                done += wrote
            }
        }
    }

    /// Removes `path` and everything under it (symlinks are not followed), whatever bytes the names hold.
    static func remove(_ path: String) {
        remove(Array(path.utf8))
    }

    private static func remove(_ path: [UInt8]) {
        let cPath = path.map { CChar(bitPattern: $0) } + [0]
        var info = stat()
        guard lstat(cPath, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFDIR, let dir = opendir(cPath) else {
            _ = unlink(cPath)
            return
        }
        var children: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [0x2E] && name != [0x2E, 0x2E] { children.append(name) }
        }
        closedir(dir)
        for name in children { remove(path + [0x2F] + name) }
        _ = rmdir(cPath)
    }
}
