import Campaign
import Testing

@Suite struct DoneTotalsTests {
    @Test(arguments: Backend.allCases)
    func doneTotalsSumEveryDoneJobAndNothingElse(_ backend: Backend) throws {
        let harness = try QueueHarness(backend)
        defer { harness.close() }
        #expect(try harness.queue.doneTotals() == DoneTotals(), "an empty queue sums to zero")
        try harness.add(["alice", "bob", "carol", "dave"])
        let queue = harness.queue
        for (images, uploaded, verified) in [(120, true, true), (7, true, false)] {
            let job = try #require(try queue.claim(worker: "w", host: "h"))
            try queue.complete(
                job,
                result: JobResult(
                    identifier: "mapillary-\(job.spec.username)-original-webp",
                    images: images, bytes: Int64(images) * 400_000,
                    uploaded: uploaded, verified: verified))
        }
        try queue.fail(try #require(try queue.claim(worker: "w", host: "h")), sentence: "gone", kind: .permanent)
        _ = try #require(try queue.claim(worker: "w", host: "h"))
        #expect(try queue.doneTotals() == DoneTotals(jobs: 2, images: 127, bytes: 50_800_000, uploaded: 2, verified: 1))
    }
}
