import Foundation
import SandboxKit
import Testing
import TestSupport

/// `kill -9` at any point, then the same command again: no image lost, none fetched again once committed,
/// none twice in the tars, and `verify` passes.
@Suite(.timeLimit(.minutes(3)))
struct ResumeAfterKillTests {
    /// Checks the finished item of `user` against the sandbox with independent readers and `verify`.
    static func expectComplete(_ h: CLIHarness, _ user: String) async throws {
        let item = h.item(user)
        let members = try await TarListing.members(item: item)
        let ids = members.map(\.imageID)
        #expect(ids.count == Set(ids).count, "no image is in the tars twice")
        #expect(Set(ids) == Set(h.mapillary.archivableIDs(user)), "every image is archived")
        let verify = try await h.verify(item)
        #expect(verify.status == 0, "\(verify.transcript)")
        #expect(verify.stdout.contains("\(item): OK"))
    }

    /// Images that were committed before a kill and fetched from the CDN again afterwards.
    static func refetched(_ committed: [String], _ h: CLIHarness) -> [String] {
        let fetched = h.cdnRequestsPerImage()
        return committed.filter { fetched[$0] != nil }
    }

    @Test func killedWhileListingItContinuesFromTheSavedCursor() async throws {
        // 25 records a page and 80 ms per API answer: the listing takes about two seconds.
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 300)]) {
            $0.maxRecordsPerResponse = 25
            $0.apiLatency = .milliseconds(80)
        }
        defer { h.close() }
        let first = try h.start(["alice", "--output", h.output, "--quality", "256"])
        let reached = await h.kill(first, user: "alice") { $0.listed >= 25 && !$0.listingComplete }
        _ = await first.wait()
        try #require(reached, "the listing was caught in the middle")
        let killed = try #require(h.state("alice"))
        #expect(!killed.listingComplete && killed.cursor, "killed mid-listing, with a cursor saved")
        #expect(killed.listed < 300)

        h.mapillary.clearRequestLog()
        let resumed = try await h.download(["alice"])
        #expect(resumed.status == 0, "\(resumed.transcript)")
        let pages = h.mapillary.requestLog().filter { $0.origin == .api && $0.path == "/images" }
        #expect(pages.first?.queryValue("after") != nil, "the listing continued from its cursor")
        #expect(Self.refetched(killed.doneIDs, h) == [], "committed images are not fetched again")
        try await Self.expectComplete(h, "alice")
    }

    @Test func killedWhileDownloadingItResumesDaysLaterWithFreshURLsAndABadTokenStopsAtOnce() async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 160), .init(name: "bob", imageCount: 5)]) {
            // Two transfers of 50 ms each: about four seconds of downloading, however busy the machine.
            $0.cdnLatency = .milliseconds(50)
        }
        defer { h.close() }
        let first = try h.start(["alice", "--output", h.output, "--quality", "256", "--concurrency", "2"])
        let reached = await h.kill(first, user: "alice") { $0.done >= 20 }
        _ = await first.wait()
        try #require(reached, "some images were committed before the kill")
        let killed = try #require(h.state("alice"))
        #expect(killed.listingComplete && killed.done < 160, "killed in the middle of the images")

        // Days later every signed URL has expired. A wrong token fails at once (it used to hang), keeping
        // everything committed.
        h.mapillary.expireAllURLs()
        h.mapillary.clearRequestLog()
        let refused = try await h.download(["alice", "bob", "--token", "MLY|1|wrong-token"], timeout: .seconds(60))
        #expect(!refused.timedOut, "a rejected token stops the run")
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("FAILED: the Mapillary token was rejected"))
        #expect(h.mapillary.counters.unauthorized == 1, "one refused request for both users")
        #expect(refused.stdout.contains("failed: alice bob"))
        #expect(!(refused.stdout + refused.stderr).contains("wrong-token"), "the token is never printed")
        let afterRefusal = try #require(h.state("alice"))
        #expect(Set(afterRefusal.doneIDs).isSuperset(of: killed.doneIDs), "nothing committed was lost")

        h.mapillary.clearRequestLog()
        let resumed = try await h.download(["alice"])
        #expect(resumed.status == 0, "\(resumed.transcript)")
        #expect(h.mapillary.counters.expiredURLs > 0 && h.mapillary.counters.lookupRequests > 0, "URLs were refreshed")
        #expect(Self.refetched(afterRefusal.doneIDs, h) == [], "committed images are not fetched again")
        try await Self.expectComplete(h, "alice")
    }

    @Test func ctrlCSavesTheWorkInProgressPrintsTheSummaryAndTheSameCommandContinues() async throws {
        // Two transfers of 50 ms each: about four seconds of downloading, however busy the machine.
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 160)]) { $0.cdnLatency = .milliseconds(50) }
        defer { h.close() }
        let first = try h.start(["alice", "--output", h.output, "--quality", "256", "--concurrency", "2"])
        let reached = await h.kill(first, user: "alice", with: SIGINT) { $0.done >= 10 }
        let interrupted = await first.wait()
        try #require(reached, "the run was interrupted in the middle")
        #expect(!interrupted.killedBySignal && interrupted.status == 1, "\(interrupted.transcript)")
        #expect(interrupted.stderr.contains("interrupted: saving work in progress"))
        #expect(
            interrupted.stdout.contains("incomplete: interrupted; run the same command again to continue"),
            "the summary is printed: \(interrupted.stdout)")
        let saved = try #require(h.state("alice"))
        #expect(saved.done >= 10 && saved.done < 160)

        h.mapillary.clearRequestLog()
        let resumed = try await h.download(["alice"])
        #expect(resumed.status == 0, "\(resumed.transcript)")
        #expect(Self.refetched(saved.doneIDs, h) == [], "saved images are not fetched again")
        try await Self.expectComplete(h, "alice")
    }

    @Test func anItemMovedAsideByAnUpdateThatDiedIsPutBackButNotOneOfARunningProcess() async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 8)])
        defer { h.close() }
        let first = try h.start(["alice", "--output", h.output, "--quality", "256"])
        let published = await first.wait()
        try #require(published.status == 0, "\(published.transcript)")
        let before = try await TarListing.sha256(item: h.item("alice"))

        // An update publishing right now (this test process stands in for it) has moved the item aside.
        let running = h.output + "/.mapillary-alice-256-webp.previous-\(getpid())"
        try FileManager.default.moveItem(atPath: h.item("alice"), toPath: running)
        let beside = try await h.download(["alice"])
        #expect(beside.status == 0, "\(beside.transcript)")
        #expect(!beside.stderr.contains("restored"), "the running update's item is left alone")
        #expect(FileManager.default.fileExists(atPath: running))

        // An update killed while its item was moved aside (the first run's process is gone): put back.
        try FileManager.default.removeItem(atPath: h.item("alice"))
        let orphan = h.output + "/.mapillary-alice-256-webp.previous-\(first.pid)"
        try FileManager.default.moveItem(atPath: running, toPath: orphan)
        let restored = try await h.download(["alice"])
        #expect(restored.status == 0, "\(restored.transcript)")
        #expect(restored.stderr.contains("alice: restored \(h.item("alice")) after an interrupted update"))
        #expect(restored.stdout.contains("up to date " + h.item("alice")))
        #expect(!FileManager.default.fileExists(atPath: orphan))
        #expect(try await TarListing.sha256(item: h.item("alice")) == before)
    }

    @Test func fiveHundredImagesKilledAtRandomPointsEndCompleteAndVerified() async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 500)]) {
            $0.maxRecordsPerResponse = 100
            $0.apiLatency = .milliseconds(40)
            $0.cdnLatency = .milliseconds(4)
        }
        defer { h.close() }
        var delays: [String] = []
        var committed: [String] = []
        var resumedFromTheMiddle = 0
        var endings: [String] = []
        for _ in 0..<4 {
            // Killing needs images left to fetch after the kill point.
            let remaining = 500 - committed.count
            guard remaining >= 100 else { break }
            h.mapillary.clearRequestLog()
            let run = try h.start(["alice", "--output", h.output, "--quality", "256"])
            // A random point of the run however fast or loaded the machine: once the CDN has served a random number
            // of this run's images, then a random moment (mid-batch).
            let target = Int.random(in: 70...min(200, remaining - 30))
            let delay = Int.random(in: 0...150)
            delays.append("\(target) images served + \(delay)")
            h.kill(run, afterImagesServed: target, delay: .milliseconds(delay))
            let result = await run.wait()
            #expect(
                Self.refetched(committed, h) == [], "committed images are not fetched again (kills after \(delays) ms)")
            let state = h.state("alice")
            let done = state?.doneIDs ?? []
            #expect(Set(done).isSuperset(of: committed), "no committed image was lost (kills after \(delays) ms)")
            if result.killedBySignal && !done.isEmpty && done.count < 500 {
                resumedFromTheMiddle += 1
            } else {
                endings.append("\(done.count) done, exit \(result.status): \(result.stderr.suffix(600))")
            }
            committed = done
        }
        // Otherwise the runs finished before their kills and nothing above tested a resume.
        #expect(
            resumedFromTheMiddle >= 1,
            "a kill landed between the first and the last image (kills after \(delays) ms): \(endings)")
        h.mapillary.clearRequestLog()
        let last = try await h.download(["alice"])
        #expect(last.status == 0, "kills after \(delays) ms: \(last.transcript)")
        #expect(Self.refetched(committed, h) == [], "committed images are not fetched again (kills after \(delays) ms)")
        try await Self.expectComplete(h, "alice")
    }
}
