import Essentials
import Foundation

/// An exclusive lock on a staging folder (``FolderLock``: flock on `.mapillary-archiver/lock`), so two processes
/// never work on the same item at once. Released by ``release()`` or when the process ends.
final class StagingLock: Sendable {
    private let lock: FolderLock

    /// Throws ``ArchiverError`` `.busy` when another process holds the lock.
    init(folder: String) throws {
        do {
            lock = try FolderLock(folder: folder)
        } catch .busy {
            throw ArchiverError(
                .busy, "another mapillary-archiver process is already working on \(folder); wait for it to finish")
        } catch .unwritable(let error) {
            throw ArchiverError(
                .io, "could not open the lock file \(error.path): \(String(cString: strerror(error.errno)))")
        }
    }

    func release() {
        lock.release()
    }
}
