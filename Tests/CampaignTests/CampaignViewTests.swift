import Campaign
import Foundation
import Testing

/// What the campaign page reads from the queue beyond `queue status`: the throughput slot by slot, the jobs done
/// last, and the progress workers report with their heartbeats; the same on both backends.
@Suite struct CampaignViewTests {
    private func finish(_ harness: QueueHarness, images: Int, bytes: Int64) throws {
        let job = try #require(try harness.queue.claim(worker: "w1", host: "h1"))
        try harness.queue.complete(
            job,
            result: JobResult(
                identifier: "mapillary-\(job.spec.username)-original-webp", images: images,
                bytes: bytes, uploaded: true, verified: images > 150))
    }

    @Test(arguments: Backend.allCases)
    func throughputIsCountedInTheSlotsOfItsWindow(_ backend: Backend) throws {
        let harness = try QueueHarness(backend)
        defer { harness.close() }
        try harness.add(["now", "two-hours-ago", "yesterday", "broken", "waiting"])
        try finish(harness, images: 100, bytes: 1_000)
        try finish(harness, images: 200, bytes: 2_000)
        try finish(harness, images: 400, bytes: 4_000)
        let broken = try #require(try harness.queue.claim(worker: "w1", host: "h1"))
        try harness.queue.fail(broken, sentence: "a failure produces nothing", kind: .permanent)
        try harness.execute(
            "UPDATE campaign_jobs SET finished_at = finished_at - 7200000 WHERE username = 'two-hours-ago'")
        try harness.execute(
            "UPDATE campaign_jobs SET finished_at = finished_at - 108000000 WHERE username = 'yesterday'")

        let window = ThroughputHistory.Window(span: .seconds(12 * 3600), slot: .seconds(900))
        let history = try #require(try harness.queue.status(history: window).history)
        #expect(history.slotSeconds == 900)
        #expect(history.slots.count == 48)
        let first = try #require(history.slots.first), last = try #require(history.slots.last)
        #expect(last.startedSecondsAgo >= 0 && last.startedSecondsAgo <= 900, "the last slot is the one under way")
        #expect(abs(first.startedSecondsAgo - (last.startedSecondsAgo + 47 * 900)) < 0.01, "slots follow each other")
        let used = history.slots.filter { $0.jobs > 0 }
        #expect(used.map(\.images) == [200, 100], "oldest first; a job out of the window or failed is not counted")
        #expect(used.map(\.bytes) == [2_000, 1_000])
        // The job done two hours ago is in the slot that holds that moment: one that began up to 15 minutes
        // before it (and a few seconds more on a slow machine).
        #expect(used.first.map { $0.startedSecondsAgo >= 7200 && $0.startedSecondsAgo < 7200 + 900 + 30 } == true)
        #expect(used.last.map { $0.startedSecondsAgo < 900 + 30 } == true)
    }

    @Test(arguments: Backend.allCases)
    func theJobsDoneLastComeNewestFirstWithTheirResult(_ backend: Backend) throws {
        let harness = try QueueHarness(backend)
        defer { harness.close() }
        try harness.add(["alice", "bob", "carol", "dave"])
        try finish(harness, images: 100, bytes: 1_000)
        try finish(harness, images: 200, bytes: 2_000)
        try finish(harness, images: 300, bytes: 3_000)
        _ = try harness.queue.claim(worker: "w2", host: "h2")

        let finished = try #require(try harness.queue.status(finished: 2).recentlyFinished)
        #expect(finished.map(\.username) == ["carol", "bob"])
        let carol = try #require(finished.first)
        #expect(carol.identifier == "mapillary-carol-original-webp" && carol.images == 300 && carol.bytes == 3_000)
        #expect(carol.uploaded && carol.verified && carol.worker == "w1" && carol.host == "h1")
        #expect(carol.secondsAgo >= 0 && carol.secondsAgo < 60)
        #expect(finished.last?.verified == true)

        // Queued again for an update run, carol is no longer done.
        try harness.add(["carol"], again: true)
        #expect(try harness.queue.status(finished: 5).recentlyFinished?.map(\.username) == ["bob", "alice"])
        #expect(try harness.queue.status(finished: 5).recentlyFinished?.last?.verified == false)

        // Asked for nothing, `queue status` reads neither, and its JSON keeps its shape.
        let plain = try harness.queue.status()
        #expect(plain.recentlyFinished == nil && plain.history == nil)
        #expect(!plain.json().contains("recently_finished") && !plain.json().contains("history"))
    }

    @Test(arguments: Backend.allCases)
    func theProgressOfTheLastHeartbeatShowsInTheStatus(_ backend: Backend) throws {
        let harness = try QueueHarness(backend)
        defer { harness.close() }
        try harness.add(["alice"])
        let job = try #require(try harness.queue.claim(worker: "w1", host: "h1"))
        #expect(try harness.queue.status().running.first?.progress == nil, "nothing reported yet")

        let listing = JobProgress(images: 1234, listed: 5000, listingComplete: false, bytes: 2_140_000_000)
        try harness.queue.renew(job, progress: listing)
        #expect(try harness.queue.status().running.first?.progress == listing)
        try harness.queue.renew(job)
        let status = try harness.queue.status()
        #expect(status.running.first?.progress == listing, "a heartbeat without progress keeps the last one")
        #expect(status.table().contains(" ago  1,234 images of 5,000 listed so far, 2.14 GB\n"))
        #expect(status.json().contains("\"listing_complete\" : false"))

        let listed = JobProgress(images: 5000, listed: 5000, listingComplete: true, bytes: 9_000_000_000)
        try harness.queue.renew(job, progress: listed)
        #expect(try harness.queue.status().table().contains("5,000 images of 5,000, 9.00 GB"))

        // The next attempt starts without the last one's numbers.
        try harness.queue.release(job)
        _ = try #require(try harness.queue.claim(worker: "w2", host: "h2"))
        #expect(try harness.queue.status().running.first?.progress == nil)
    }

    @Test(arguments: Backend.allCases)
    func aQueueOfTheFirstSchemaGetsTheProgressColumnsAndKeepsItsJobs(_ backend: Backend) throws {
        let harness = try QueueHarness(backend)
        defer { harness.close() }
        try harness.add(["alice", "bob"])
        for column in ["progress_images", "progress_listed", "progress_listing_complete", "progress_bytes"] {
            try harness.execute("ALTER TABLE campaign_jobs DROP COLUMN \(column)")
        }
        try harness.execute("UPDATE schema_versions SET version = 1 WHERE component = 'campaign'")

        let upgraded = try harness.connect()
        defer { upgraded.close() }
        #expect(try upgraded.status().counts.pending == 2)
        let job = try #require(try upgraded.claim(worker: "w1", host: "h1"))
        let progress = JobProgress(images: 1, listed: 2, listingComplete: true, bytes: 3)
        try upgraded.renew(job, progress: progress)
        #expect(try upgraded.status().running.first?.progress == progress)
    }
}
