import HTTPClientKit
import Mapillary
import SandboxKit
import Testing

@Suite struct FaultTests {
    @Test func aRejectedTokenStopsWithTheTokenSentenceAndNoRetry() async throws {
        let h = try Harness(token: "MLY|0|wrong-token") { $0.users = [.init(name: "alice", imageCount: 3)] }
        defer { h.close() }
        await #expect {
            _ = try await h.listAll(user: "alice")
        } throws: { error in
            guard let e = error as? MapillaryError else { return false }
            return e.code == .tokenRejected
                && e.description
                    == "the Mapillary token was rejected (Invalid OAuth access token - Cannot parse access token (OAuthException, code 190)); check --token or MAPILLARY_TOKEN"
                && !e.description.contains("wrong-token")
        }
        #expect(h.sandbox.mapillary.counters.apiRequests == 1)
        #expect(h.sandbox.mapillary.counters.unauthorized == 1)
    }

    @Test func aBadRequestIsShownWithTheAPIsMessageAndNotRetried() async throws {
        let h = try Harness { $0.users = [.init(name: "alice", imageCount: 3)] }
        defer { h.close() }
        // A box the client itself would refuse, sent as a hand-made link (as a stale saved cursor could be).
        let url = h.sandbox.apiURL + "/images?creator_username=alice&fields=id&bbox=0,0,0.2,0.2"
        await #expect {
            _ = try await h.client.fetchPage(url: url)
        } throws: { error in
            guard let e = error as? MapillaryError else { return false }
            return e.code == .requestRefused
                && e.description.contains(
                    "HTTP 400: Bounding box area is too large. Maximum allowed area is 0.010 square degrees, but got 0.040 square degrees."
                )
        }
        #expect(h.sandbox.mapillary.counters.apiRequests == 1)
    }

    @Test func anUnknownFieldIsA400() async throws {
        let h = try Harness()
        defer { h.close() }
        let url = h.sandbox.apiURL + "/images?creator_username=alice&fields=id,no_such_field"
        await #expect {
            _ = try await h.client.fetchPage(url: url)
        } throws: { ($0 as? MapillaryError)?.description.contains("nonexisting field (no_such_field)") == true }
        #expect(h.sandbox.mapillary.counters.apiRequests == 1)
    }

    @Test func tenPercentFaultsAndRateLimitsStillListAndDownloadEverything() async throws {
        let h = try Harness {
            $0.users = [.init(name: "alice", imageCount: 60)]
            $0.faultRate = 0.10
            $0.rateLimit = 200
            $0.seed = 5
        }
        defer { h.close() }
        let listing = try await h.listAll(user: "alice", limit: 5)
        #expect(listing.ids == h.sandbox.mapillary.archivableIDs("alice"))
        for record in listing.records {
            let download = try await h.client.downloadImage(
                id: record.id, url: record.thumbURL, quality: .q256, maxBytes: 1 << 22)
            #expect(download.bytes == (try h.sandbox.mapillary.imageBytes(id: record.id, quality: .q256)))
        }
        let counters = h.sandbox.mapillary.counters
        #expect(counters.injected5xx > 0 && counters.injectedResets > 0, "faults of both kinds were injected")
    }

    @Test func rateLimitAnswersAreRetriedUntilTheListingCompletes() async throws {
        // Every second request is answered 429 (however far apart a loaded machine spaces them), and two listings run
        // at once: each is retried until it gets through.
        let patient = RetryPolicy(maxAttempts: 30, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200))
        let h = try Harness(retry: patient) {
            $0.users = [.init(name: "alice", imageCount: 3)]; $0.rateLimitEvery = 2
        }
        defer { h.close() }
        async let first = h.listAll(user: "alice")
        async let second = h.listAll(user: "alice")
        let (a, b) = try await (first, second)
        #expect(
            a.ids == h.sandbox.mapillary.archivableIDs("alice") && b.ids == h.sandbox.mapillary.archivableIDs("alice"))
        #expect(h.sandbox.mapillary.counters.rateLimited > 0)
    }

    @Test func reduceTheAmountOfDataHalvesTheLimitAndKeepsTheCursor() async throws {
        let h = try Harness {
            $0.users = [.init(name: "alice", imageCount: 70)]; $0.maxRecordsPerResponse = 300
        }
        defer { h.close() }
        let listing = try await h.listAll(user: "alice")
        #expect(listing.ids == h.sandbox.mapillary.archivableIDs("alice"))
        #expect(listing.limits.first == 250, "2000 → 1000 → 500 → 250")
        #expect(h.sandbox.mapillary.counters.reduceDataAnswers == 3)

        // Mid-listing: a page that already carries a cursor keeps it when its limit shrinks.
        let page = try await h.client.fetchPage(
            url: h.client.firstPageURL(user: "alice", quality: .q256, bbox: nil, limit: 20))
        let next = try #require(page.next).replacingOccurrences(of: "limit=20", with: "limit=1200")
        let second = try await h.client.fetchPage(url: next)
        #expect(second.limitUsed == 300, "1200 → 600 → 300, the sandbox's maximum")
        #expect(second.records.map(\.id) == Array(h.sandbox.mapillary.archivableIDs("alice")[20..<70]))
    }

    @Test func retriesThatNeverSucceedEndInOneSentenceNamingTheFailure() async throws {
        let h = try Harness(retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2)))
        {
            $0.users = [.init(name: "alice", imageCount: 3)]
            $0.faultRate = 1.0
        }
        defer { h.close() }
        await #expect {
            _ = try await h.listAll(user: "alice")
        } throws: { error in
            guard let e = error as? MapillaryError else { return false }
            return e.code == .retriesExhausted
                && e.description.hasPrefix("Mapillary kept failing while listing images: 3 attempts over")
                && e.description.hasSuffix("; check the network or try again later")
        }
        // libcurl may itself retry once on a reused connection that was reset before any answer.
        #expect(h.sandbox.mapillary.counters.apiRequests >= 3)
    }
}

@Suite struct TimeoutTests {
    @Test func slowAnswersTimeOutAreRetriedAndThenNamed() async throws {
        let h = try Harness {
            $0.users = [.init(name: "alice", imageCount: 2)]; $0.apiLatency = .milliseconds(400)
        }
        defer { h.close() }
        var client = h.client(
            retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1), maxDelay: .milliseconds(1)))
        client.apiTimeout = .milliseconds(100)
        await #expect {
            _ = try await client.fetchPage(url: client.firstPageURL(user: "alice", quality: .q256, bbox: nil))
        } throws: { error in
            guard let e = error as? MapillaryError else { return false }
            return e.code == .retriesExhausted && e.description.contains("2 attempts")
                && e.description.contains("timed out")
                && e.description.hasSuffix("; check the network or try again later")
        }
        // Patience is enough: the same sandbox answers a client that waits.
        client.apiTimeout = .seconds(5)
        let page = try await client.fetchPage(url: client.firstPageURL(user: "alice", quality: .q256, bbox: nil))
        #expect(page.records.count == 2)
    }
}
