// Within Essentials each file imports the C library itself (Platform.swift re-exports it to other modules only).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on `{folder}/.mapillary-archiver/lock`, so one process at a time works on a staging
/// folder or an item (a download, an upload). The holder writes its pid into the file for the next one's message.
/// The kernel releases the lock when the holder ends, however it ends (`kill -9` too).
public final class FolderLock: Sendable {
    /// Why the lock could not be taken.
    public enum Refusal: Error, Sendable {
        /// Another process holds it; its pid when it wrote one.
        case busy(holder: Int32?)
        /// The lock file (or its folder) cannot be created or opened: a read-only disk, missing permissions.
        case unwritable(FileError)
    }

    /// The private folder of an item or staging folder.
    public static let privateFolderName = ".mapillary-archiver"

    private let fd: Int32

    /// Takes the lock without waiting; creates `.mapillary-archiver/` when it is missing.
    public init(folder: String) throws(Refusal) {
        let directory = folder + "/" + Self.privateFolderName
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw .unwritable(FileError(operation: "create", path: directory, errno: errno))
        }
        let path = directory + "/lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unwritable(FileError(operation: "open", path: path, errno: errno)) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.holderPID(fd)
            close(fd)
            throw .busy(holder: holder)
        }
        // The pid only feeds a message: a failed write leaves the lock as good as ever. Written over the old one,
        // then cut to length, so the file is never empty while the lock is held (after the holder's first write).
        let text = Array("\(getpid())\n".utf8)
        let written = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        if written == text.count { _ = ftruncate(fd, off_t(text.count)) }
        self.fd = fd
    }

    /// Gives the lock back (the next process may take it at once).
    public func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// The holder's pid; a holder that took the lock a moment ago may not have written it yet, so an empty file
    /// is read again for up to 200 ms before the message goes without it.
    private static func holderPID(_ fd: Int32) -> Int32? {
        for _ in 0..<20 {
            if let pid = readPID(fd) { return pid }
            usleep(10_000)
        }
        return nil
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let digits = String(decoding: buffer[..<count], as: UTF8.self).prefix { $0.isASCII && $0.isNumber }
        return Int32(digits).flatMap { $0 > 0 ? $0 : nil }
    }
}
