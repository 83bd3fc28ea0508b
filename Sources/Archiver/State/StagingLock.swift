import Foundation

/// An exclusive lock on a staging folder (flock on `.mapillary-archiver/lock`), so two processes never
/// work on the same item at once. Released by ``release()`` or when the process ends.
final class StagingLock: Sendable {
    private let fd: Int32

    /// Throws ``ArchiverError`` `.busy` when another process holds the lock.
    init(folder: String) throws {
        let path = folder + "/.mapillary-archiver/lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ArchiverError(.io, "could not open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw ArchiverError(.busy, "another mapillary-archiver process is already working on \(folder); wait for it to finish")
        }
        self.fd = fd
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
