import Foundation
import SandboxKit
import Testing
import TestSupport

/// `package` killed with -9 leaves its `.{identifier}.partial-…` folder in the output; `clean-up` lists it and
/// removes it with `--yes`, but never one whose process still runs.
@Suite(.timeLimit(.minutes(3)))
struct PackageKillTests {
    @Test func cleanUpRemovesWhatAKilledPackageLeftAndKeepsARunningOnes() async throws {
        let h = try CLIHarness(users: [])
        defer { h.close() }
        let input = h.temp.file("photos-kill")
        let fm = FileManager.default
        for folder in 0..<30 {
            let date = String(format: "2024-01-%02d", folder % 28 + 1)
            try fm.createDirectory(atPath: input + "/\(date)/seq\(folder)", withIntermediateDirectories: true)
            for file in 0..<100 {
                let bytes = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* (file + 7) &+ folder) }
                try Data(bytes).write(to: URL(fileURLWithPath: input + "/\(date)/seq\(folder)/\(file).jpg"))
            }
        }
        let output = h.temp.file("packaged")
        try fm.createDirectory(atPath: output, withIntermediateDirectories: true)

        // Killed as soon as its partial folder shows (tried again should a loaded machine let it finish first).
        var leftover: String?
        for _ in 0..<5 where leftover == nil {
            try? fm.removeItem(atPath: output + "/photos-kill")
            let run = try h.start(["package", input, "--output", output])
            while run.isRunning {
                if let partial = try fm.contentsOfDirectory(atPath: output).first(where: {
                    $0.hasPrefix(".photos-kill.partial-")
                }) {
                    run.kill()
                    let result = await run.wait()
                    if result.killedBySignal { leftover = partial }
                    break
                }
                try await Task.sleep(for: .milliseconds(1))
            }
            _ = await run.wait()
        }
        let partial = try #require(leftover, "a package run was killed while its partial folder existed")
        try #require(fm.fileExists(atPath: output + "/" + partial))
        // A partial folder whose writer still runs (this test process) is never removed.
        let running = ".other-item.partial-\(getpid())-7"
        try fm.createDirectory(atPath: output + "/" + running, withIntermediateDirectories: true)

        let dry = try await h.run(["clean-up", "--output", output])
        #expect(dry.status == 0, "\(dry.transcript)")
        #expect(
            dry.stdout.contains("would remove \(output)/\(partial) (")
                && dry.stdout.contains("): an unfinished package or publish left it (its process is gone)"),
            "\(dry.stdout)")
        #expect(
            dry.stdout.contains(
                "keep    \(output)/\(running) (0 B): the process writing it (pid \(getpid())) is still running"),
            "\(dry.stdout)")
        #expect(fm.fileExists(atPath: output + "/" + partial), "nothing is removed without --yes")

        let yes = try await h.run(["clean-up", "--output", output, "--yes"])
        #expect(yes.status == 0, "\(yes.transcript)")
        #expect(yes.stdout.contains("removed 1 folder(s)"), "\(yes.stdout)")
        #expect(!fm.fileExists(atPath: output + "/" + partial))
        #expect(fm.fileExists(atPath: output + "/" + running), "the running writer's folder is kept")
        #expect(fm.fileExists(atPath: input + "/2024-01-01/seq0/0.jpg"), "the input is untouched")
    }
}
