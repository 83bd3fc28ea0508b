import Foundation
import SandboxKit
import Testing
import TestSupport

/// What the user sees: a live progress line on a terminal, plain bounded lines elsewhere, and the demo.
@Suite(.timeLimit(.minutes(3)))
struct ConsoleOutputTests {
    /// Runs its arguments under a pseudo-terminal (stdin, stdout and stderr) and prints everything it wrote.
    static let underTerminal = """
        import os, pty, subprocess, sys
        env = dict(os.environ)
        env.pop("NO_COLOR", None)
        master, slave = pty.openpty()
        child = subprocess.Popen(sys.argv[1:], stdin=slave, stdout=slave, stderr=slave, close_fds=True, env=env)
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        sys.stdout.buffer.write(out)
        sys.exit(child.wait())
        """

    static let escape = "\u{1B}"

    @Test func onATerminalTheProgressLineIsRedrawnAndTheSummaryFollows() async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 80)]) { $0.cdnLatency = .milliseconds(25) }
        defer { h.close() }
        let arguments = [BuiltBinary.path, "alice", "--output", h.output, "--quality", "256", "--concurrency", "2"]
        let result = try await ExternalTool.runDetached(
            "python3", ["-c", Self.underTerminal] + arguments, environment: h.environment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let screen = result.stdout
        let clears = screen.components(separatedBy: Self.escape + "[2K").count - 1
        #expect(clears >= 3, "the status line is cleared and redrawn (\(clears) clears)")
        let frames = Set(
            screen.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
                .map {
                    $0.replacingOccurrences(of: Self.escape + "[1A", with: "").replacingOccurrences(
                        of: Self.escape + "[2K", with: "")
                }
                .filter { $0.hasPrefix("alice  ") && $0.contains(" img/s ") })
        #expect(frames.count >= 3, "several distinct status frames: \(frames.sorted())")
        #expect(frames.contains { $0.contains("downloading") })
        #expect(screen.contains("user   downloaded  skipped  failed"), "the summary table is printed")
        #expect(screen.contains("published " + h.item("alice")))
        #expect(screen.contains(Self.escape + "[32mINFO "), "log levels are coloured on a terminal")
    }

    @Test func elsewhereTheOutputIsPlainAndBounded() async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 80)]) { $0.cdnLatency = .milliseconds(25) }
        defer { h.close() }
        let result = try await h.download(["alice", "--concurrency", "2"])
        #expect(result.status == 0, "\(result.transcript)")
        #expect(
            !result.stdout.contains(Self.escape) && !result.stderr.contains(Self.escape),
            "no escape sequences in a pipe")
        let status = result.stderr.split(separator: "\n").filter { $0.contains(" img/s ") }
        #expect(status.count <= 2, "status at most every 30 s: \(status)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count <= 12, "a short run logs a few lines, not one per image: \(lines.count)")
        #expect(result.stdout.hasPrefix("user   downloaded  skipped  failed"))
        #expect(result.stdout.contains("published " + h.item("alice")))
    }

    @Test func theDemoRunsItsFourStepsOffline() async throws {
        let temp = try TemporaryDirectory("demo")
        defer { temp.remove() }
        let run = try BinaryProcess(
            arguments: ["demo", "--dir", temp.file("demo")],
            environment: [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                "HOME": temp.path, "XDG_CACHE_HOME": temp.file("xdg"),
            ],
            outputPrefix: temp.file("demo-run"), currentDirectory: temp.path)
        let result = await run.wait(timeout: .seconds(170))
        #expect(result.status == 0, "\(result.transcript)")
        for step in [
            "1. Sandbox:", "2. Download + package + upload:", "3. What is in each item", "4. What the services saw:",
        ] {
            #expect(result.stdout.contains(step), "the demo prints step \(step)")
        }
        #expect(
            result.stdout.components(separatedBy: "verify: every tar reads to its end").count == 3, "both items verify")
        #expect(!result.stdout.contains("problem:"))
    }
}
