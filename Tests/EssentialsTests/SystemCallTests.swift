import Essentials
import Synchronization
import Testing
import TestSupport

struct SystemCallTests {
    /// A read blocked on an empty pipe is interrupted by signals (a handler without SA_RESTART, as a process that
    /// handles SIGINT has), and the caller still gets the bytes written after them.
    @Test func aReadInterruptedBySignalsIsRetriedAndGetsTheData() throws {
        #if os(Linux)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        action.sa_flags = 0
        sigemptyset(&action.sa_mask)
        #expect(sigaction(SIGUSR1, &action, nil) == 0)
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        let (reader, writer) = (ends[0], ends[1])
        let reading = ReadingThread()
        // An OS thread of its own (not a task): a busy cooperative pool cannot delay it.
        let started = DedicatedThread.start(name: "test-read") {
            // Threads started from Swift's pool inherit libdispatch's mask, which blocks signals.
            var usr1 = sigset_t()
            sigemptyset(&usr1)
            sigaddset(&usr1, SIGUSR1)
            pthread_sigmask(SIG_UNBLOCK, &usr1, nil)
            reading.thread.withLock { $0 = pthread_self() }
            var buffer = [UInt8](repeating: 0, count: 16)
            let result = Result { () throws -> [UInt8] in
                let count = try buffer.withUnsafeMutableBytes { bytes in
                    try SystemCall.onFile("read", "the pipe") {
                        reading.attempts.add(1, ordering: .relaxed)
                        return read(reader, bytes.baseAddress, bytes.count)
                    }
                }
                return Array(buffer[..<count])
            }
            reading.result.withLock { $0 = result }
        }
        let thread = try #require(started)
        // Signal the reading thread until its read was started again after interruptions (counted in signals sent,
        // not in time, so that a busy machine only makes it slower). Usually a few milliseconds.
        for _ in 0..<3_000 where reading.attempts.load(ordering: .relaxed) < 3 {
            if let handle = reading.thread.withLock({ $0 }) { pthread_kill(handle, SIGUSR1) }
            usleep(5_000)
        }
        #expect(reading.attempts.load(ordering: .relaxed) >= 3, "the read was interrupted and retried at least twice")
        let sent: [UInt8] = Array("hello".utf8)
        #expect(write(writer, sent, sent.count) == sent.count)
        thread.join()
        #expect(try reading.result.withLock { try $0?.get() } == sent)
        #endif
    }

    @Test func aMissingPathBecomesAFileErrorNamingTheCallThePathAndTheReason() throws {
        let dir = try TemporaryDirectory("syscall")
        defer { dir.remove() }
        let path = dir.file("absent/file.txt")
        let error = #expect(throws: FileError.self) {
            try SystemCall.onFile("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
        }
        #expect(error?.errno == ENOENT)
        #expect(error?.isDiskFull == false)
        #expect(error?.description == "could not open \(path): No such file or directory")
    }

    @Test func writingToAReadOnlyDescriptorFailsWithItsReason() throws {
        let dir = try TemporaryDirectory("syscall")
        defer { dir.remove() }
        let path = dir.file("read-only.txt")
        let created = try SystemCall.onFile("create", path) { open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644) }
        close(created)
        let fd = try SystemCall.onFile("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        let error = #expect(throws: FileError.self) {
            try SystemCall.onFile("write", path) { write(fd, "x", 1) }
        }
        #expect(error?.description == "could not write \(path): Bad file descriptor")
        #expect(SystemCall.retrying { write(fd, "x", 1) } == -1 && errno == EBADF, "without a path: -1 and errno")
    }
}

/// What the test sees of the thread blocked in `read`: its handle (for `pthread_kill`) and how often it called `read`.
private final class ReadingThread: Sendable {
    let thread = Mutex<pthread_t?>(nil)
    let attempts = Atomic<Int>(0)
    let result = Mutex<Result<[UInt8], any Error>?>(nil)
}
