// Within Essentials each file imports the C library itself (Platform.swift re-exports it to other modules only).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed file-system call, naming the call, the path and the system's reason.
public struct FileError: Error, Sendable, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let errno: Int32

    public init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// True when the disk (or quota) is full: the user frees space and runs again.
    public var isDiskFull: Bool { errno == ENOSPC || errno == EDQUOT }

    public var description: String {
        let reason = String(cString: strerror(errno))
        if isDiskFull {
            return
                "could not \(operation) \(path): \(reason); free some space and run the same command again (work already saved is kept)"
        }
        return "could not \(operation) \(path): \(reason)"
    }
}
