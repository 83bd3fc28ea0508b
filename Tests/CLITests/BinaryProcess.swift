import Foundation
import Synchronization
import TestSupport

/// The built `mapillary-archiver` running as a child process, its output going to files. Awaiting it never
/// blocks a thread of the cooperative pool, and it can be killed at any point.
///
/// `swift build --build-tests` builds the executable too (every product of the package is built), so
/// ``BuiltBinary/path`` exists whenever these tests do; CLITests cannot depend on an executable target.
final class BinaryProcess: Sendable {
    /// How a finished run ended and what it printed.
    struct Result: Sendable {
        let status: Int32
        let killedBySignal: Bool
        let stdout: String
        let stderr: String
        /// True when the run outlived its time limit and was killed by the harness.
        let timedOut: Bool

        /// stdout and stderr together, for messages.
        var transcript: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
    }

    private struct State {
        var exit: (status: Int32, signaled: Bool)?
        var waiters: [CheckedContinuation<Void, Never>] = []
        var timedOut = false
    }

    /// The state, in a box the waiting thread can capture.
    private final class Box: Sendable {
        let state = Mutex(State())
    }

    let pid: Int32
    let arguments: [String]
    private let stdoutPath: String
    private let stderrPath: String
    private let box = Box()

    /// Starts the binary with exactly `environment` (nothing inherited), output into `outputPrefix`.out/.err.
    init(
        arguments: [String], environment: [String: String], outputPrefix: String,
        currentDirectory: String? = nil
    ) throws {
        stdoutPath = outputPrefix + ".out"
        stderrPath = outputPrefix + ".err"
        let child = try ChildProcess(
            executable: BuiltBinary.path, arguments: arguments, environment: environment,
            currentDirectory: currentDirectory, stdout: .file(stdoutPath), stderr: .file(stderrPath))
        self.arguments = arguments
        pid = child.pid
        // A thread of its own waits for the end. The pid is reaped under the lock, so `send(_:)` never signals a
        // reused pid.
        let box = self.box
        let waiter = Thread {
            child.waitForExit()
            let waiters = box.state.withLock { s in
                s.exit = child.reap()
                defer { s.waiters.removeAll() }
                return s.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        waiter.name = "binary-waiter"
        waiter.start()
    }

    var isRunning: Bool { box.state.withLock { $0.exit == nil } }

    /// Sends SIGKILL (a crash at an arbitrary instant) unless the process has ended already.
    func kill() {
        send(SIGKILL)
    }

    /// Sends `signal` (SIGINT is Ctrl-C) unless the process has ended already.
    func send(_ signal: Int32) {
        box.state.withLock { s in
            if s.exit == nil { _ = Glibc.kill(pid, signal) }
        }
    }

    /// Sends SIGKILL after `delay`, timed on a thread of its own (a busy test process cannot make it late).
    func kill(after delay: Duration) {
        let thread = Thread { [self] in
            let (seconds, attoseconds) = delay.components
            var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
            var remaining = timespec()
            while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
            kill()
        }
        thread.name = "delayed-kill"
        thread.start()
    }

    /// Waits for the end; kills the process first if it runs longer than `timeout`.
    func wait(timeout: Duration = .seconds(90)) async -> Result {
        let watchdog = Task { [self] in
            try await Task.sleep(for: timeout)
            if isRunning {
                box.state.withLock { $0.timedOut = true }
                kill()
            }
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = box.state.withLock { s -> Bool in
                if s.exit != nil { return true }
                s.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
        watchdog.cancel()
        let (exit, timedOut) = box.state.withLock { ($0.exit!, $0.timedOut) }
        let out = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        return Result(status: exit.status, killedBySignal: exit.signaled, stdout: out, stderr: err, timedOut: timedOut)
    }
}
