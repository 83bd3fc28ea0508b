import Foundation
import Synchronization

/// Runs independent readers (exiftool, webpinfo, GNU tar, bsdtar, python3) and the built binary.
public enum ExternalTool {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        public var ok: Bool { status == 0 }
    }

    /// Runs `executable` (looked up on PATH when not absolute) with `arguments`, waits, and captures output.
    /// The child sees this process's environment with `environment` laid over it. A child ended by a signal has
    /// that signal's number as its status.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        currentDirectory: String? = nil, stdin: Data? = nil
    ) throws -> Result {
        var env = ProcessInfo.processInfo.environment
        for (name, value) in environment ?? [:] { env[name] = value }
        let out = try PipeEnds(), err = try PipeEnds()
        let input = try stdin.map { _ in try PipeEnds() }
        defer {
            out.closeBoth()
            err.closeBoth()
            input?.closeBoth()
        }
        let child = try ChildProcess(
            executable: executable, arguments: arguments, environment: env,
            currentDirectory: currentDirectory,
            stdin: input.map { .descriptor($0.read) } ?? .nullDevice,
            stdout: .descriptor(out.write), stderr: .descriptor(err.write))
        // Only the child may hold the write ends now, so the reads below end when it does.
        out.closeWrite()
        err.closeWrite()
        input?.closeRead()
        if let stdin, let input {
            _ = ignoreBrokenPipes
            Thread {
                stdin.withUnsafeBytes { PipeEnds.writeAll(input.write, $0) }
                input.closeWrite()
            }.start()
        }
        // Read both pipes at once so a chatty child cannot block on a full pipe.
        let errBox = DataBox()
        let errDone = DispatchSemaphore(value: 0)
        Thread {
            errBox.data = PipeEnds.readAll(err.read)
            errDone.signal()
        }.start()
        let outData = PipeEnds.readAll(out.read)
        errDone.wait()
        let (status, _) = child.reap()
        return Result(
            status: status, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errBox.data, as: UTF8.self))
    }

    /// A child that stops reading its stdin must not kill this process with SIGPIPE.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// True when `name` is on PATH.
    public static func isAvailable(_ name: String) -> Bool {
        (try? run("sh", ["-c", "command -v \(name)"]))?.ok ?? false
    }
}

private final class DataBox: @unchecked Sendable {
    // Written by the reader thread before it signals; read only after the semaphore wait (which orders the two).
    var data = Data()
}

/// Both ends of a pipe, each closed at most once. Shared by the caller and one helper thread, each end used by
/// one of them only.
private final class PipeEnds: @unchecked Sendable {
    let read: Int32
    let write: Int32
    private let closed = Mutex<(read: Bool, write: Bool)>((false, false))

    init() throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ChildProcessError(operation: "create a pipe", code: errno) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        read = fds[0]
        write = fds[1]
    }

    func closeRead() {
        if closed.withLock({ state in
            defer { state.read = true }; return !state.read
        }) {
            close(read)
        }
    }

    func closeWrite() {
        if closed.withLock({ state in
            defer { state.write = true }; return !state.write
        }) {
            close(write)
        }
    }

    func closeBoth() {
        closeRead()
        closeWrite()
    }

    /// Everything until end of file (EINTR is retried; another error ends the read).
    static func readAll(_ fd: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                data.append(contentsOf: buffer[0..<n])
            } else if n == 0 || errno != EINTR {
                return data
            }
        }
    }

    /// Writes every byte (EINTR is retried; a closed reader ends the write).
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n > 0 {
                offset += n
            } else if n < 0 && errno != EINTR {
                return
            }
        }
    }
}
