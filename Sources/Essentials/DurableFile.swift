// Within Essentials each file imports the C library itself (Platform.swift re-exports it to other modules only).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small durable file operations: whole-file writes that are atomic, fsync of files and folders.
public enum DurableFile {
    /// Writes `bytes` to `path` atomically: a dot-prefixed temp file beside it, fsync, rename, fsync of the folder.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws {
        let dir = parentDirectory(of: path)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let temp = dir + "/." + name + ".tmp-\(getpid())"
        let fd = try SystemCall.onFile("create", temp) { open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) }
        do {
            try writeAll(fd: fd, bytes: bytes, path: temp)
            try SystemCall.onFile("fsync", temp) { fsync(fd) }
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        close(fd)
        guard rename(temp, path) == 0 else {
            let e = errno
            unlink(temp)
            throw FileError(operation: "rename", path: path, errno: e)
        }
        try syncDirectory(dir)
    }

    /// Writes every byte to `fd`, retrying short writes and EINTR.
    public static func writeAll(fd: Int32, bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { raw in
            try writeAll(fd: fd, buffer: raw, path: path)
        }
    }

    /// Writes every byte of `buffer` to `fd`, retrying short writes and EINTR.
    public static func writeAll(fd: Int32, buffer: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < buffer.count {
            let n = try SystemCall.onFile("write", path) {
                Glibc_write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if n == 0 { throw FileError(operation: "write", path: path, errno: EIO) }
            offset += n
        }
    }

    /// fsyncs a folder so that a rename or create inside it survives a crash.
    public static func syncDirectory(_ path: String) throws {
        let fd = try SystemCall.onFile("open", path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        try SystemCall.onFile("fsync", path) { fsync(fd) }
    }

    /// Creates `path` and its missing parents (mode 0755). An existing folder is not an error.
    public static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw FileError(operation: "create folder", path: current, errno: errno)
            }
        }
    }

    /// Throws unless a file can be created in the folder `path`, or, when it does not exist yet, in its nearest
    /// existing parent (where it would be made). Leaves nothing behind. For checks before a long run starts.
    public static func checkWritable(folder path: String) throws {
        var folder = path.isEmpty ? "." : path
        var info = stat()
        while stat(folder, &info) != 0 {
            guard errno == ENOENT, folder != "/", folder != "." else {
                throw FileError(operation: "use the folder", path: folder, errno: errno)
            }
            folder = parentDirectory(of: folder)
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw FileError(operation: "use the folder", path: folder, errno: ENOTDIR)
        }
        let probe = folder + "/.mapillary-archiver-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = try SystemCall.onFile("create files in", folder) {
            open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        }
        close(fd)
        unlink(probe)
    }

    /// The folder part of a path ("." when there is none).
    public static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }
}

@inline(__always)
private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    write(fd, p, n)
}
