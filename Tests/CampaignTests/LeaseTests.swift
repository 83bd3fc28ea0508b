import Campaign
import Testing

/// Claims, leases and fencing, the same on both backends.
@Suite struct LeaseTests {
    @Test(arguments: Backend.allCases)
    func claimsTheHighestPriorityFirstThenTheOldest(_ backend: Backend) throws {
        let harness = try QueueHarness(backend)
        defer { harness.close() }
        try harness.add(["old", "middle"])
        try harness.add(["urgent"], priority: 5)
        try harness.add(["young"])

        let order = try (0..<4).map { _ in try harness.queue.claim(worker: "w1", host: "h1")?.spec.username }
        #expect(order == ["urgent", "old", "middle", "young"])
        #expect(try harness.queue.claim(worker: "w1", host: "h1") == nil)
    }

    @Test(arguments: Backend.allCases)
    func anExpiredLeaseIsTakenOverAndTheOldHolderIsFenced(_ backend: Backend) async throws {
        // A lease long enough that a loaded machine does not let it run out before the checks of a live one.
        let harness = try QueueHarness(backend, policy: QueueHarness.quick(lease: 1))
        defer { harness.close() }
        try harness.add(["alice"])
        let other = try harness.connect()
        defer { other.close() }

        let first = try #require(try harness.queue.claim(worker: "w1", host: "h1"))
        let claimed = Stopwatch()
        let early = try other.claim(worker: "w2", host: "h2")
        let stillHeld = try harness.queue.stillHolds(first)
        if claimed.within(seconds: 0.9) {
            #expect(early == nil, "a live lease is not taken")
            #expect(stillHeld)
        }
        try await pause(seconds: 1.2)
        #expect(try !harness.queue.stillHolds(first), "a lease that ran out is not held")

        let second = try #require(early ?? (try other.claim(worker: "w2", host: "h2")))
        #expect(second.id == first.id)
        #expect(second.generation > first.generation)
        #expect(second.attempt == 2)

        // Every call of the old holder is refused; none changes the job.
        for call in [
            { try harness.queue.renew(first) },
            { try harness.queue.complete(first, result: sampleResult) },
            { _ = try harness.queue.fail(first, sentence: "old holder", kind: .permanent) },
        ] {
            let error = #expect(throws: CampaignError.self) { try call() }
            #expect(error?.code == .leaseLost)
            #expect(error?.description.contains("alice (original, webp)") == true)
        }
        #expect(try harness.queue.release(first) == false)
        #expect(try !harness.queue.stillHolds(first))

        #expect(try other.stillHolds(second))
        try other.complete(second, result: sampleResult)
        let status = try harness.queue.status()
        #expect(status.counts.done == 1 && status.counts.running == 0)
        #expect(status.recentFailures.isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func abandonedJobsTakeTheirTurnByPriorityAmongPendingOnes(_ backend: Backend) async throws {
        let harness = try QueueHarness(backend, policy: QueueHarness.quick(lease: 1))
        defer { harness.close() }
        try harness.add(["urgent"], priority: 5)
        try harness.add(["low"], priority: -1)
        #expect(try harness.queue.claim(worker: "w1", host: "h1")?.spec.username == "urgent")
        #expect(try harness.queue.claim(worker: "w1", host: "h1")?.spec.username == "low")
        try harness.add(["normal"])
        try await pause(seconds: 1.2)

        // Both leases ran out: the abandoned urgent job, then the pending normal one, then the abandoned low one.
        let order = try (0..<3).map { _ in try harness.queue.claim(worker: "w2", host: "h2")?.spec.username }
        #expect(order == ["urgent", "normal", "low"])
    }

    @Test(arguments: Backend.allCases)
    func aRenewedLeaseIsNotTakenOver(_ backend: Backend) async throws {
        let harness = try QueueHarness(backend, policy: QueueHarness.quick(lease: 1.5))
        defer { harness.close() }
        try harness.add(["alice"])
        let other = try harness.connect()
        defer { other.close() }

        let job = try #require(try harness.queue.claim(worker: "w1", host: "h1"))
        // Another worker tries each time the lease has (by the local clock) surely not run out since the renewal.
        var renewed = Stopwatch()
        for _ in 0..<5 {
            try await pause(seconds: 0.4)
            if renewed.within(seconds: 1.3) { try harness.queue.renew(job) } else { break }
            renewed = Stopwatch()
            let taken = try other.claim(worker: "w2", host: "h2")
            if renewed.within(seconds: 1.3) { #expect(taken == nil) } else { break }
        }
        let running = try harness.queue.status().running
        if renewed.within(seconds: 0.9) {
            #expect(try harness.queue.stillHolds(job))
            #expect(running.map(\.worker) == ["w1"])
            #expect(running.first?.host == "h1")
            #expect(running.first.map { $0.heartbeatAgeSeconds < 1 && $0.leaseLeftSeconds > 0.5 } == true)
        }
    }

    @Test(arguments: Backend.allCases)
    func releaseGivesTheJobBackAtOnceWithoutCountingTheAttempt(_ backend: Backend) throws {
        let harness = try QueueHarness(backend)
        defer { harness.close() }
        try harness.add(["alice"])

        let first = try #require(try harness.queue.claim(worker: "w1", host: "h1"))
        #expect(first.attempt == 1)
        #expect(try harness.queue.release(first))
        #expect(try harness.queue.status().counts.pending == 1)

        let again = try #require(try harness.queue.claim(worker: "w2", host: "h2"))
        #expect(again.attempt == 1)
        #expect(again.generation > first.generation)
        #expect(throws: CampaignError.self) { try harness.queue.complete(first, result: sampleResult) }
    }

    @Test(arguments: Backend.allCases)
    func aJobWhoseWorkersKeepDyingFailsAfterTheLastAttempt(_ backend: Backend) async throws {
        let harness = try QueueHarness(backend, policy: QueueHarness.quick(lease: 0.15, maxAttempts: 2))
        defer { harness.close() }
        try harness.add(["crashy"])

        #expect(try harness.queue.claim(worker: "w1", host: "h1")?.attempt == 1)
        try await pause(seconds: 0.25)
        #expect(try harness.queue.claim(worker: "w2", host: "h2")?.attempt == 2)
        try await pause(seconds: 0.25)
        #expect(try harness.queue.claim(worker: "w3", host: "h3") == nil)

        let status = try harness.queue.status()
        #expect(status.counts.failed == 1 && status.counts.running == 0)
        #expect(status.recentFailures.first?.error.contains("stopped renewing their lease 2 times") == true)
        #expect(status.recentFailures.first?.worker == "w2")
    }
}
