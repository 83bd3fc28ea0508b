import Foundation
import Logging
import Synchronization

/// Where log records go: the console (coloured only on a terminal, filtered by --quiet/--debug) and, while a
/// run is open, that run's log file (`download.log.{timestamp}` in the item).
///
/// Several users run at once, each with its log file open under its own key. A record from a logger made for
/// one job (``logger(_:job:)``) goes to that job's file only; a record of the whole run (no job) goes to every
/// open file, since it concerns them all (a rate-limit pause, say).
public final class LogHub: Sendable {
    public let console: Console
    public let consoleLevel: Logger.Level
    public let fileLevel: Logger.Level
    private let files = Mutex<[String: FileHandle]>([:])
    private let counts = Mutex<[Logger.Level: Int]>([:])

    public init(console: Console, debug: Bool, quiet: Bool) {
        self.console = console
        consoleLevel = debug ? .debug : (quiet ? .warning : .info)
        fileLevel = debug ? .debug : .info
    }

    /// A logger whose records go through this hub; with `job`, to that job's log file only (see the type's note).
    public func logger(_ label: String, job: String? = nil) -> Logger {
        var logger = Logger(label: label) { _ in LogHubHandler(hub: self, job: job) }
        logger.logLevel = min(consoleLevel, fileLevel)
        return logger
    }

    /// Starts copying records into `path` (created, appended) under `key` until ``closeFile(key:)``.
    public func openFile(key: String, path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        handle.seekToEndOfFile()
        files.withLock { $0[key] = handle }
    }

    /// Stops copying records to the file opened under `key`, flushing it to disk.
    public func closeFile(key: String) {
        let handle = files.withLock { $0.removeValue(forKey: key) }
        try? handle?.synchronize()
        try? handle?.close()
    }

    /// How many records of `level` were emitted (the summary reports warnings).
    public func count(of level: Logger.Level) -> Int { counts.withLock { $0[level] ?? 0 } }

    func emit(level: Logger.Level, message: String, metadata: Logger.Metadata, job: String? = nil) {
        counts.withLock { $0[level, default: 0] += 1 }
        let time = LogHub.timestamp()
        let suffix =
            metadata.isEmpty
            ? "" : " " + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let name = LogHub.levelName(level)
        if level >= fileLevel {
            // The same mask as the console's: a published log file never holds a secret the run knows.
            let line = console.masked("\(time) \(name) \(message)\(suffix)\n")
            let data = Data(line.utf8)
            // `FileHandle.write(_:)` traps on a full disk; a log file that cannot be written is given up instead
            // (the console still shows every record, and the images already committed are safe).
            let failed: [(key: String, error: any Error)] = files.withLock { handles in
                var failed: [(key: String, error: any Error)] = []
                for (key, handle) in handles where job == nil || job == key {
                    do { try handle.write(contentsOf: data) } catch { failed.append((key, error)) }
                }
                for entry in failed { try? handles.removeValue(forKey: entry.key)?.close() }
                return failed
            }
            for entry in failed {
                console.line(
                    "\(time) \(LogHub.levelName(.warning)) \(entry.key): stopped writing the run's log file (\(entry.error.localizedDescription)); the console shows the rest"
                )
            }
        }
        if level >= consoleLevel {
            let shownName = console.options.color ? LogHub.colored(name, level) : name
            console.line("\(time) \(shownName) \(message)\(suffix)")
        }
    }

    static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace: return "TRACE"
        case .debug: return "DEBUG"
        case .info: return "INFO "
        case .notice: return "NOTE "
        case .warning: return "WARN "
        case .error: return "ERROR"
        case .critical: return "CRIT "
        }
    }

    static func colored(_ text: String, _ level: Logger.Level) -> String {
        let code: String
        switch level {
        case .trace, .debug: code = "2"
        case .info: code = "32"
        case .notice: code = "36"
        case .warning: code = "33"
        case .error, .critical: code = "31"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return
            "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }
}

/// The swift-log handler that forwards to a ``LogHub``.
struct LogHubHandler: LogHandler {
    let hub: LogHub
    /// The job whose log file gets this logger's records; nil for every open file.
    let job: String?
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        hub.emit(level: event.level, message: event.message.description, metadata: merged, job: job)
    }
}
