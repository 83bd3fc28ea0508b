import Foundation
import SandboxKit
import Testing
import TestSupport

/// A nightly cron batch against services that misbehave: the process ends, each stuck user with one sentence,
/// the other users archived, and the summary counts what happened.
@Suite(.timeLimit(.minutes(3)))
struct UnattendedRunTests {
    /// The summary row of `user`: downloaded, skipped, failed.
    static func row(_ stdout: String, _ user: String) -> (downloaded: Int, skipped: Int, failed: Int)? {
        guard let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix(user + " ") }) else { return nil }
        let cells = line.split(separator: " ").map { $0.replacingOccurrences(of: ",", with: "") }
        guard cells.count > 3, let d = Int(cells[1]), let s = Int(cells[2]), let f = Int(cells[3]) else { return nil }
        return (d, s, f)
    }

    @Test func aBatchAgainstALoopingListingAndAStalledCDNEndsAndArchivesTheOtherUsers() async throws {
        // cyc's listing loops after three pages of 25; one of stan's images gets its head and then nothing.
        let h = try CLIHarness(users: [
            .init(name: "cyc", imageCount: 80, kind: .pagingCycle),
            .init(name: "stan", imageCount: 6, kind: .trickle),
            .init(name: "bob", imageCount: 5),
        ]) {
            $0.maxRecordsPerResponse = 25
            $0.cdnTrickleRate = 0
        }
        defer { h.close() }
        for user in ["cyc", "stan", "bob"] { try h.mapillary.pregenerate(user: user, quality: .q256) }
        let result = try await h.download(
            ["cyc", "stan", "bob", "--speed-limit", "0", "--no-progress-timeout", "10"],
            timeout: .seconds(100))
        #expect(!result.timedOut, "the run ends by itself: \(result.transcript)")
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAILED: the Mapillary API kept sending a page that "))
        #expect(
            result.stdout.contains("FAILED: nothing moved for 10s (no listing page, no image data, no image finished)"))
        #expect(result.stdout.contains("published " + h.item("bob")))
        #expect(result.stdout.contains("failed: cyc stan"))
        #expect(Self.row(result.stdout, "cyc")?.downloaded == 75)
        #expect(Self.row(result.stdout, "stan")?.downloaded == 5)
        #expect(
            result.stderr.contains("WARN  cyc: the Mapillary API sent a page that links back to a page already read"))
    }

    @Test func aTricklingImageIsCutByTheSpeedFloorAndEveryRetryIsAWarning() async throws {
        let h = try CLIHarness(users: [.init(name: "tim", imageCount: 4, kind: .trickle)])
        defer { h.close() }
        let slow = try #require(h.mapillary.cdnFaultImageIDs(user: "tim").first)
        try h.mapillary.pregenerate(user: "tim", quality: .q256)
        let first = try h.start(["tim", "--output", h.output, "--quality", "256", "--speed-time", "2"])
        // Two cut attempts are enough to see; then the CDN is well again and the run finishes the image. Watched on
        // a thread of its own, so that a busy test process cannot make the change late.
        let mapillary = h.mapillary
        let healer = Thread {
            while mapillary.misbehaviourCounters.trickledAnswers < 2 && first.isRunning { usleep(2_000) }
            mapillary.setTrickleRate(nil)
        }
        healer.start()
        let result = await first.wait(timeout: .seconds(150))
        #expect(result.status == 0, "\(result.transcript)")
        let warnings = result.stderr.split(separator: "\n").filter {
            $0.contains("WARN  tim: image \(slow): retrying the download (attempt ")
        }
        #expect(warnings.count >= 2, "the image was cut and asked again, each time with a warning: \(result.stderr)")
        #expect(warnings.allSatisfy { $0.contains("was too slow: ") && $0.contains("below the floor of 1024 bytes/s") })
        #expect(result.stdout.contains("published " + h.item("tim")))
    }

    @Test func sigtermInTheMiddleCountsImagesNotReachedAsNeitherDownloadedNorFailed() async throws {
        // Two transfers of 100 ms each: about eight seconds of downloading however busy the machine, time enough for
        // the probe, which a loaded machine may keep waiting, to see ten images done and stop the run in the middle.
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 160)]) { $0.cdnLatency = .milliseconds(100) }
        defer { h.close() }
        let first = try h.start(["alice", "--output", h.output, "--quality", "256", "--concurrency", "2"])
        let reached = await h.kill(first, user: "alice", with: SIGTERM) { $0.done >= 10 }
        let stopped = await first.wait()
        try #require(reached, "the run was stopped in the middle")
        #expect(stopped.status == 1, "\(stopped.transcript)")
        #expect(stopped.stdout.contains("incomplete: interrupted; run the same command again to continue"))
        let saved = try #require(h.state("alice"))
        let row = try #require(Self.row(stopped.stdout, "alice"), "\(stopped.stdout)")
        #expect(row.downloaded == saved.done, "downloaded counts what this run saved")
        #expect(row.failed == 0, "images not reached are not failures: \(stopped.stdout)")
        #expect(saved.done < 160)
    }

    @Test func twoSIGTERMsAtOnceAsTimeoutSendsThemAreOneRequestToStop() async throws {
        // coreutils `timeout` signals the process and then its whole process group: two SIGTERMs a moment apart
        // (apart enough here that the second is not merged into the first on its way to the handler).
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 160)]) { $0.cdnLatency = .milliseconds(50) }
        defer { h.close() }
        let run = try h.start(["alice", "--output", h.output, "--quality", "256", "--concurrency", "2"])
        h.kill(run, afterImagesServed: 20, with: [SIGTERM, SIGTERM])
        let stopped = await run.wait()
        #expect(!stopped.killedBySignal && stopped.status == 1, "stopped as after one SIGTERM: \(stopped.transcript)")
        #expect(
            stopped.stdout.contains("incomplete: interrupted; run the same command again to continue"),
            "the summary is printed: \(stopped.transcript)")
    }

    @Test(arguments: [
        (["--speed-limit=-1"], "--speed-limit must be 0 (no floor) or more bytes per second"),
        (["--speed-time", "0"], "--speed-time must be between 1 and 3600 seconds"),
        (["--no-progress-timeout", "0"], "--no-progress-timeout must be at least 1 second"),
    ])
    func badLimitsAreUsageErrors(arguments: [String], sentence: String) async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 1)])
        defer { h.close() }
        let result = try await h.download(["alice"] + arguments)
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.stderr.hasPrefix("error: " + sentence), "\(result.stderr)")
    }
}
