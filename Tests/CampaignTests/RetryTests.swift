import Campaign
import Testing

/// Failures, backoff, attempts, and the `retry` and `remove` commands' calls.
@Suite struct RetryTests {
    @Test(arguments: Backend.allCases)
    func transientFailuresWaitLongerEachTimeThenFail(_ backend: Backend) async throws {
        // Waits of 1 s and 2 s. The "not yet" checks are made only while the wait has surely not run out (see
        // Stopwatch); "now it comes" is measured from the failure, so a busy machine cannot make either lie.
        let harness = try QueueHarness(backend, policy: QueueHarness.quick(maxAttempts: 3, backoff: 1))
        defer { harness.close() }
        try harness.add(["alice"])
        let queue = harness.queue

        let first = try #require(try queue.claim(worker: "w", host: "h"))
        let firstFailure = Stopwatch()
        #expect(
            try queue.fail(first, sentence: "the CDN timed out", kind: .transient) == .willRetry(after: .seconds(1)))
        let early = try queue.claim(worker: "w", host: "h")
        if firstFailure.within(seconds: 0.9) { #expect(early == nil, "the backoff is respected") }
        let waiting = try queue.status()
        if firstFailure.within(seconds: 0.9) {
            #expect(waiting.counts.pending == 1 && waiting.counts.waiting == 1)
            #expect(waiting.recentFailures.first?.retryInSeconds.map { $0 > 0 && $0 <= 1 } == true)
        }
        #expect(waiting.recentFailures.first?.error == "the CDN timed out")
        #expect(waiting.recentFailures.first?.state == .pending)

        let second = try #require(early == nil ? try await claimWhenDue(queue, worker: "w") : early)
        #expect(firstFailure.elapsedSeconds >= 0.95, "claimed again after \(firstFailure.elapsedSeconds) s")
        #expect(second.attempt == 2)
        let secondFailure = Stopwatch()
        #expect(
            try queue.fail(second, sentence: "the CDN timed out again", kind: .transient)
                == .willRetry(after: .seconds(2)))
        try await pause(seconds: 1.2)
        let stillWaiting = try queue.claim(worker: "w", host: "h")
        if secondFailure.within(seconds: 1.9) { #expect(stillWaiting == nil, "the second wait is twice as long") }
        let third = try #require(stillWaiting == nil ? try await claimWhenDue(queue, worker: "w") : stillWaiting)
        #expect(secondFailure.elapsedSeconds >= 1.95, "claimed again after \(secondFailure.elapsedSeconds) s")
        #expect(third.attempt == 3)
        #expect(try queue.fail(third, sentence: "the CDN timed out a third time", kind: .transient) == .failed)

        let status = try queue.status()
        #expect(status.counts.failed == 1 && status.counts.pending == 0)
        #expect(status.recentFailures.first?.error == "the CDN timed out a third time")
        #expect(status.recentFailures.first?.attempts == 3)
        #expect(try queue.claim(worker: "w", host: "h") == nil)
    }

    @Test(arguments: Backend.allCases)
    func aPermanentFailureFailsAtOnce(_ backend: Backend) throws {
        let harness = try QueueHarness(backend)
        defer { harness.close() }
        try harness.add(["ghost", "bob"])

        let job = try #require(try harness.queue.claim(worker: "w", host: "h"))
        #expect(try harness.queue.fail(job, sentence: "Mapillary knows no user ghost", kind: .permanent) == .failed)
        #expect(try harness.queue.claim(worker: "w", host: "h")?.spec.username == "bob")
        let status = try harness.queue.status()
        #expect(status.counts.failed == 1)
        #expect(status.recentFailures.map(\.error) == ["Mapillary knows no user ghost"])
        #expect(status.recentFailures.first?.attempts == 1)
    }

    @Test(arguments: Backend.allCases)
    func retryPutsFailedJobsBackAndRemoveDeletesThem(_ backend: Backend) throws {
        let harness = try QueueHarness(backend)
        defer { harness.close() }
        try harness.add(["alice", "bob", "carol"])
        for _ in 0..<2 {
            let job = try #require(try harness.queue.claim(worker: "w", host: "h"))
            try harness.queue.fail(job, sentence: "refused", kind: .permanent)
        }

        #expect(try harness.queue.retry(usernames: ["carol"]).isEmpty, "carol did not fail")
        let retried = try harness.queue.retry(usernames: ["alice"])
        #expect(retried.map(\.spec.username) == ["alice"])
        #expect(retried.first?.previous == .failed)
        let status = try harness.queue.status()
        #expect(status.counts.pending == 2 && status.counts.failed == 1)
        #expect(status.recentFailures.map(\.username) == ["bob"], "a retried job is no longer listed as failed")

        #expect(try harness.queue.retry(usernames: nil).map(\.spec.username) == ["bob"])
        let again = try #require(try harness.queue.claim(worker: "w", host: "h"))
        #expect(again.attempt == 1, "retry resets the attempts")

        let removed = try harness.queue.remove(usernames: [again.spec.username, "nobody"])
        #expect(removed.map(\.previous) == [.running])
        #expect(removed.first?.worker == "w")
        #expect(throws: CampaignError.self, "the holder of a removed job is fenced") {
            try harness.queue.renew(again)
        }
        #expect(try harness.queue.status().counts.total == 2)
    }

    @Test(arguments: Backend.allCases)
    func addIsIdempotentAndAgainRequeuesADoneJob(_ backend: Backend) throws {
        let harness = try QueueHarness(backend)
        defer { harness.close() }
        #expect(try harness.add(["alice", "bob", "alice"]) == [.added, .added, .alreadyQueued(.pending)])
        let webpOff = try harness.queue.add([JobSpec(username: "alice", quality: "original", webp: false)])
        #expect(webpOff == [.added], "another format is another job")

        let alice = try #require(try harness.queue.claim(worker: "w", host: "h"))
        #expect(try harness.add(["alice"]) == [.alreadyQueued(.running)])
        try harness.queue.complete(alice, result: sampleResult)
        #expect(try harness.add(["alice"]) == [.alreadyQueued(.done)])
        #expect(try harness.add(["alice"], again: true) == [.requeued(from: .done)])

        let next = try #require(try harness.queue.claim(worker: "w", host: "h"))
        #expect(next.spec.username == "alice", "requeued alice is still the oldest job")
        try harness.queue.fail(next, sentence: "refused", kind: .permanent)
        #expect(try harness.add(["alice"]) == [.requeued(from: .failed)])

        let counts = try harness.queue.status().counts
        #expect(counts.pending == 3 && counts.total == 3)
    }

    @Test(arguments: Backend.allCases)
    func statusCountsTheLastHoursThroughputAndEstimatesTheRest(_ backend: Backend) throws {
        let harness = try QueueHarness(backend)
        defer { harness.close() }
        try harness.add((1...6).map { "user\($0)" })
        for _ in 0..<2 {
            let job = try #require(try harness.queue.claim(worker: "w", host: "h"))
            try harness.queue.complete(job, result: sampleResult)
        }
        _ = try harness.queue.claim(worker: "w", host: "h")

        let status = try harness.queue.status()
        #expect(status.counts.done == 2 && status.counts.running == 1 && status.counts.pending == 3)
        #expect(status.lastHour.jobs == 2)
        #expect(status.lastHour.images == 240)
        #expect(status.lastHour.bytes == 96_000_000)
        #expect(status.lastHour.imagesPerHour >= 240)
        // 4 jobs left at 2 jobs per window: about two windows.
        let eta = try #require(status.etaSeconds)
        #expect(abs(eta - 2 * status.lastHour.windowSeconds) < 0.01)
    }
}
