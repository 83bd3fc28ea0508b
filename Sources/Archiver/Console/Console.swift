import Essentials
import Foundation
import Synchronization

/// Owns the terminal: log lines and live status lines share stderr without interleaving.
///
/// On a terminal, status lines (one per running job) are redrawn in place at most a few times a second and
/// are cleared before a log line is printed, then redrawn under it. Elsewhere (cron, CI, a pipe) status is
/// printed as a plain line at most every `plainInterval` seconds per job, and never redrawn.
///
/// Every secret handed to ``hide(_:)`` is masked (``SecretMask``) in everything the console prints, in the run's
/// log files (``LogHub``) and in what the commands print through ``masked(_:)``.
public final class Console: Sendable {
    public struct Options: Sendable {
        public var isTerminal: Bool
        public var color: Bool
        public var quiet: Bool
        public var redrawInterval: Double
        public var plainInterval: Double

        public init(
            isTerminal: Bool = isatty(2) == 1, color: Bool? = nil, quiet: Bool = false,
            redrawInterval: Double = 0.25, plainInterval: Double = 30
        ) {
            self.isTerminal = isTerminal
            let noColor = ProcessInfo.processInfo.environment["NO_COLOR"] != nil
            self.color = color ?? (isTerminal && !noColor)
            self.quiet = quiet
            self.redrawInterval = redrawInterval
            self.plainInterval = plainInterval
        }
    }

    private struct State: ~Copyable {
        var status: [(key: String, line: String)] = []
        var drawnLines = 0
        var lastDraw = 0.0
        var lastPlain: [String: Double] = [:]
    }

    public let options: Options
    private let state = Mutex(State())
    private let mask = Mutex(SecretMask())
    private let sink: @Sendable (String) -> Void

    /// `sink` receives finished text for stderr (tests capture it); the default writes to fd 2.
    public init(options: Options = Options(), sink: (@Sendable (String) -> Void)? = nil) {
        self.options = options
        self.sink =
            sink ?? { text in
                text.utf8CString.withUnsafeBufferPointer { buffer in
                    var offset = 0
                    let count = buffer.count - 1
                    while offset < count {
                        let n = write(2, buffer.baseAddress! + offset, count - offset)
                        if n <= 0 { break }
                        offset += n
                    }
                }
            }
    }

    /// Masks every form of the secrets of `secrets` from now on.
    public func hide(_ secrets: SecretMask) {
        mask.withLock { $0 = $0.merging(secrets) }
    }

    /// `text` with every hidden secret masked.
    public func masked(_ text: String) -> String {
        mask.withLock { $0 }.masking(text)
    }

    /// Prints one finished log line (the caller formats it).
    public func line(_ text: String) {
        let text = masked(text)
        state.withLock { s in
            var out = clearStatus(&s)
            out += text + "\n"
            out += drawStatus(&s)
            sink(out)
        }
    }

    /// Sets (or with nil removes) the live status line for `key`.
    public func status(_ key: String, _ line: String?, force: Bool = false) {
        let line = line.map { masked($0) }
        let now = Date().timeIntervalSince1970
        state.withLock { s in
            if let index = s.status.firstIndex(where: { $0.key == key }) {
                if let line { s.status[index].line = line } else { s.status.remove(at: index) }
            } else if let line {
                s.status.append((key, line))
            }
            if options.isTerminal {
                guard !options.quiet else { return }
                guard force || line == nil || now - s.lastDraw >= options.redrawInterval else { return }
                s.lastDraw = now
                sink(clearStatus(&s) + drawStatus(&s))
            } else if let line {
                guard !options.quiet else { return }
                let last = s.lastPlain[key] ?? 0
                guard force || now - last >= options.plainInterval else { return }
                s.lastPlain[key] = now
                sink(line + "\n")
            } else {
                s.lastPlain[key] = nil
            }
        }
    }

    /// Removes every status line from the screen (before the final summary).
    public func clearAllStatus() {
        state.withLock { s in
            let out = clearStatus(&s)
            s.status.removeAll()
            if !out.isEmpty { sink(out) }
        }
    }

    private func clearStatus(_ s: inout State) -> String {
        guard options.isTerminal, s.drawnLines > 0 else { return "" }
        var out = ""
        for _ in 0..<s.drawnLines { out += "\u{1B}[1A\u{1B}[2K" }
        out += "\r"
        s.drawnLines = 0
        return out
    }

    private func drawStatus(_ s: inout State) -> String {
        guard options.isTerminal, !options.quiet, !s.status.isEmpty else { return "" }
        let width = Console.terminalWidth()
        var out = ""
        for entry in s.status {
            out += String(entry.line.prefix(max(20, width - 1))) + "\n"
        }
        s.drawnLines = s.status.count
        return out
    }

    static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 100
    }
}
