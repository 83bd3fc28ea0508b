import Archiver
import Foundation
import HTTPClientKit
import SandboxKit
import Testing
import TestSupport

/// A CDN that trickles, stops mid-answer or sends more than it declares: the image is cut and retried with a
/// warning, the user ends in bounded time with the rest archived, and nothing waits forever.
@Suite(.timeLimit(.minutes(5)))
struct SlowCDNTests {
    @Test func aTricklingImageIsCutRetriedWithAWarningAndLeftForTheNextRun() async throws {
        // The CDN sends one image at 1 byte/s; the floor is 1 KiB/s over 5 s and one image may take 12 s in all.
        // (The others are made beforehand, so that serving one costs only a file send however busy the machine.)
        let h = try DownloadHarness(users: [.init(name: "tim", imageCount: 10, kind: .trickle)])
        defer { h.close() }
        try h.mapillary.pregenerate(user: "tim", quality: .q256)
        var options = h.options(["tim"])
        options.speedFloor = TransferSpeedFloor(bytesPerSecond: 1024, window: .seconds(5))
        options.imageTimeLimit = .seconds(12)
        let slow = try #require(h.mapillary.cdnFaultImageIDs(user: "tim").first)
        let report = await h.run(options)

        let user = try #require(report.users.first)
        #expect(report.exitCode == 1)
        #expect(
            user.outcome
                == .incomplete(reason: "1 images could not be downloaded yet; run the same command again to retry them")
        )
        #expect(user.downloaded == 9 && user.failed == 1)
        #expect(
            user.failureReasons.map(\.reason).first?.hasPrefix(
                "gave up downloading image … after its time limit of 12s (") == true,
            "given up within its time limit, not after the transfer timeout: \(user.failureReasons)")
        let retries = h.consoleLines.filter {
            $0.contains("WARN") && $0.contains("tim: image \(slow): retrying the download (attempt ")
        }
        #expect(
            !retries.isEmpty
                && retries.allSatisfy {
                    $0.contains("was too slow: ") && $0.contains("below the floor of 1024 bytes/s")
                },
            "every retry is a warning naming the image and the reason: \(retries)")
        #expect(h.mapillary.misbehaviourCounters.trickledAnswers == retries.count + 1)
        let staging = h.cache + "/" + options.identifier(for: "tim")
        #expect(
            Set(try await TarListing.members(item: staging).map(\.imageID))
                == Set(h.mapillary.archivableIDs("tim")).subtracting([slow]),
            "the rest is archived")

        // The next run, with the CDN well again, fetches only that image and publishes the item.
        h.mapillary.setTrickleRate(nil)
        h.mapillary.clearRequestLog()
        let next = await h.run(options)
        let item = h.item("tim", options)
        #expect(next.users.first?.outcome == .published(path: item), "\(next.table())")
        #expect(next.users.first?.downloaded == 1 && next.users.first?.alreadyDone == 9)
        #expect(Set(try await TarListing.members(item: item).map(\.imageID)) == Set(h.mapillary.archivableIDs("tim")))
        #expect(await h.verify(item) == [])
    }

    @Test func aUserInWhichNothingMovesIsGivenUpWithASentenceAndTheBatchGoesOn() async throws {
        // One of stan's images gets its answer's head and then nothing; no speed floor, so only the no-progress
        // rule (10 s here) can end the wait before the 60 s stall timeout.
        let h = try DownloadHarness(users: [
            .init(name: "stan", imageCount: 6, kind: .trickle), .init(name: "bob", imageCount: 4),
        ]) {
            $0.cdnTrickleRate = 0
        }
        defer { h.close() }
        for user in ["stan", "bob"] { try h.mapillary.pregenerate(user: user, quality: .q256) }
        var options = h.options(["stan", "bob"])
        options.speedFloor = nil
        options.noProgressTimeout = .seconds(10)
        let report = await h.run(options)

        #expect(report.exitCode == 1)
        let sentence =
            "nothing moved for 10s (no listing page, no image data, no image finished), so this user is given up for this run; the work so far is saved, run the same command again later (and check the network or Mapillary's status if it repeats)"
        #expect(report.users.map(\.outcome) == [.failed(reason: sentence), .published(path: h.item("bob", options))])
        #expect(report.users.first?.downloaded == 5)
        #expect(
            report.users.first?.failed == 0, "the image that never came is not counted as failed: the next run takes it"
        )
        #expect(h.consoleLines.contains { $0.contains("ERROR stan: " + sentence) })
        // A stalled transfer (60 s without a byte) would have been retried with a warning first.
        #expect(
            !h.consoleLines.contains { $0.contains("retrying the download") },
            "given up by the no-progress rule, before the stall timeout")
        #expect(report.table().contains("failed: stan"))
    }

    @Test func anAnswerLongerThanItsContentLengthDoesNotCostTheNextImage() async throws {
        // One transfer at a time: the image after the over-long one goes out on the same kept-alive connection.
        let h = try DownloadHarness(users: [.init(name: "lena", imageCount: 10, kind: .longBody)])
        defer { h.close() }
        var options = h.options(["lena"])
        options.concurrency = 1
        let report = await h.run(options)
        let item = h.item("lena", options)
        #expect(report.users.first?.outcome == .published(path: item), "\(report.table())")
        #expect(report.users.first?.downloaded == 10)
        #expect(h.mapillary.misbehaviourCounters.longAnswers == 1)
        #expect(
            !h.consoleLines.contains { $0.contains("WARN") }, "the garbled connection is replaced without a failure")
        #expect(Set(try await TarListing.members(item: item).map(\.imageID)) == Set(h.mapillary.archivableIDs("lena")))
        #expect(await h.verify(item) == [])
    }
}
