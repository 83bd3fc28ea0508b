// Within Essentials each file imports the C library itself (Platform.swift re-exports it to other modules only).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place system calls are retried when a signal interrupts them (`EINTR`) and turned into ``FileError``
/// when they fail, in the manner of SwiftNIO's `syscall(blocking:)`.
///
/// `close` is never retried (Linux releases the descriptor even when it reports EINTR), and `nanosleep` keeps its own
/// loop (it resumes with the time that was left).
public enum SystemCall {
    /// Runs `call` again while it returns -1 with `errno` EINTR; returns its result, -1 with `errno` set on failure.
    @inlinable
    public static func retrying<Result: BinaryInteger>(_ call: () -> Result) -> Result {
        while true {
            let result = call()
            if result != -1 || errno != EINTR { return result }
        }
    }

    /// Runs `call` (retried on EINTR); a result of -1 throws a ``FileError`` naming `operation`, `path` and `errno`.
    @inlinable @discardableResult
    public static func onFile<Result: BinaryInteger>(
        _ operation: String, _ path: String,
        _ call: () -> Result
    ) throws(FileError) -> Result {
        let result = retrying(call)
        if result == -1 { throw FileError(operation: operation, path: path, errno: errno) }
        return result
    }
}
