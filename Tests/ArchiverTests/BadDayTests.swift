import Archiver
import Foundation
import HTTPClientKit
import SandboxKit
import Testing
import TestSupport

/// Faults, rate limits and expired URLs: the run still ends complete and verified.
@Suite struct BadDayTests {
    @Test func tenPercentFaultsAndARateLimitStillEndCompleteAndVerified() async throws {
        let h = try DownloadHarness(users: [.init(name: "alice", imageCount: 150)]) {
            $0.faultRate = 0.1
            // Every third API request is limited, however far apart a busy machine spaces them.
            $0.rateLimitEvery = 3
            $0.maxRecordsPerResponse = 1000
        }
        defer { h.close() }
        var options = h.options(["alice"])
        options.retry = RetryPolicy(maxAttempts: 30, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200))
        let report = await h.run(options)
        let item = h.item("alice", options)

        #expect(report.exitCode == 0, "\(report.table())")
        let counters = h.mapillary.counters
        #expect(counters.injected5xx + counters.injectedResets > 5, "faults were injected")
        #expect(counters.rateLimited > 0, "the rate limit was hit")
        let members = try await TarListing.members(item: item)
        #expect(members.count == 150)
        #expect(Set(members.map(\.imageID)) == Set(h.mapillary.archivableIDs("alice")))
        #expect(await h.verify(item) == [])
    }

    @Test func urlsThatExpiredBeforeTheDownloadAreRefreshed() async throws {
        // Every listed URL is already expired: each image needs a fresh URL from `/{id}`.
        let h = try DownloadHarness(users: [.init(name: "alice", imageCount: 20)]) { $0.urlLifetime = .zero }
        defer { h.close() }
        let options = h.options(["alice"])
        let report = await h.run(options)
        #expect(report.exitCode == 0)
        let counters = h.mapillary.counters
        #expect(counters.expiredURLs == 20)
        #expect(counters.lookupRequests == 20)
        #expect(counters.cdnRequestsWithCredentials == 0, "the token never goes to the CDN")
        let members = try await TarListing.members(item: h.item("alice", options))
        #expect(Set(members.map(\.imageID)) == Set(h.mapillary.archivableIDs("alice")))
    }

    @Test func aRejectedTokenStopsTheWholeBatchAtOnce() async throws {
        let h = try DownloadHarness(users: [.init(name: "alice", imageCount: 10), .init(name: "bob", imageCount: 10)])
        defer { h.close() }
        var options = h.options(["alice", "bob"])
        options.token = "MLY|123|not-the-token"
        let report = await h.run(options)
        #expect(report.exitCode == 1)
        guard report.users.count == 2, case .failed(let reason) = report.users[0].outcome,
            case .failed(let second) = report.users[1].outcome
        else {
            Issue.record("both users fail: \(report.users.map(\.outcome))")
            return
        }
        #expect(reason.hasPrefix("the Mapillary token was rejected"))
        #expect(reason.hasSuffix("check --token or MAPILLARY_TOKEN"))
        #expect(!reason.contains("not-the-token"), "the token never appears in an error")
        // Both users run at once: bob waits for the token's first check and fails with its verdict, unsent.
        #expect(
            second.hasPrefix("the Mapillary token was rejected")
                || second.hasPrefix("not started: the Mapillary token was rejected"),
            "\(second)")
        #expect(h.mapillary.counters.unauthorized == 1, "one refused request, no retries, none from bob")
        #expect(h.mapillary.counters.cdnRequests == 0)
    }
}
