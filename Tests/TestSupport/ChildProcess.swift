import Foundation

/// A child process started with `posix_spawn`, without Foundation's `Process`.
///
/// On Linux, `Process.run()` can crash the whole test process (a 256-byte over-read while it scans /proc/self/fd,
/// swift-corelibs-foundation PR #5472; seen in full-suite runs here with Swift 6.3.1), and reading its pipes through
/// `FileHandle` traps on EINTR. The child gets its three standard streams and nothing else (every other descriptor
/// is closed in it, so it never keeps a test's listening socket open), default signal handling and an empty
/// signal mask.
public struct ChildProcess: Sendable {
    /// Where one of the child's standard streams goes.
    public enum Stream: Sendable {
        /// A descriptor of this process (duplicated into the child).
        case descriptor(Int32)
        case nullDevice
        /// A file, created or truncated.
        case file(String)
    }

    public let pid: pid_t

    /// Starts `executable` (looked up on the environment's PATH when it has no `/`) with exactly `environment`.
    public init(
        executable: String, arguments: [String], environment: [String: String], currentDirectory: String? = nil,
        stdin: Stream = .nullDevice, stdout: Stream, stderr: Stream
    ) throws {
        let path = try Self.resolve(executable, path: environment["PATH"] ?? "/usr/bin:/bin")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, stream) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
            let rc: Int32
            switch stream {
            case .descriptor(let fd): rc = posix_spawn_file_actions_adddup2(&actions, fd, target)
            case .nullDevice:
                rc = posix_spawn_file_actions_addopen(
                    &actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .file(let file):
                rc = posix_spawn_file_actions_addopen(&actions, target, file, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            }
            guard rc == 0 else { throw ChildProcessError(operation: "set up the streams of \(path)", code: rc) }
        }
        if let currentDirectory {
            guard let addChdir = Self.addChdir else {
                throw ChildProcessError(
                    operation: "change directory (posix_spawn_file_actions_addchdir_np is missing)", code: ENOSYS)
            }
            let rc = addChdir(&actions, currentDirectory)
            guard rc == 0 else {
                throw ChildProcessError(operation: "change directory to \(currentDirectory)", code: rc)
            }
        }
        if let addClosefrom = Self.addClosefrom {
            let rc = addClosefrom(&actions, 3)
            guard rc == 0 else { throw ChildProcessError(operation: "close inherited descriptors", code: rc) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw ChildProcessError(operation: "start \(path)", code: rc) }
        pid = child
    }

    /// Blocks until the child has ended, without reaping it (its pid stays reserved until ``reap()``).
    public func waitForExit() {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
    }

    /// Blocks until the child ends and reaps it: its exit status, or the number of the signal that ended it.
    public func reap() -> (status: Int32, signaled: Bool) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { return (-1, false) }
        }
        let signal = status & 0x7F
        return signal == 0 ? ((status >> 8) & 0xFF, false) : (signal, true)
    }

    /// `executable` itself when it names a path, else the first executable file of that name on `path`.
    static func resolve(_ executable: String, path: String) throws -> String {
        if executable.contains("/") { return executable }
        for folder in path.split(separator: ":") where access(folder + "/" + executable, X_OK) == 0 {
            return folder + "/" + executable
        }
        throw ChildProcessError(operation: "find \(executable) on PATH", code: ENOENT)
    }

    // glibc has both since 2.34, but only under _GNU_SOURCE, which Swift's Glibc module does not define.
    private typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let addClosefrom: AddClosefrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddClosefrom.self) }
    private static let addChdir: AddChdir? = dlsym(nil, "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: AddChdir.self) }
}

/// A child could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let operation: String
    public let code: Int32
    public var description: String { "could not \(operation): \(String(cString: strerror(code)))" }
}
