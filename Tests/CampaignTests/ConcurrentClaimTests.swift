import Campaign
import Foundation
import Synchronization
import Testing

/// Many workers, each on its own connection (as separate processes or machines would be), hammer one queue.
@Suite struct ConcurrentClaimTests {
    @Test(arguments: Backend.allCases)
    func concurrentClaimersNeverGetTheSameJob(_ backend: Backend) async throws {
        let harness = try QueueHarness(backend)
        defer { harness.close() }
        let jobs = 400, workers = 8
        try harness.add((0..<jobs).map { "user\($0)" })

        let claimed = Mutex<[Int64: [Int64]]>([:])
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        for index in 0..<workers {
            let queue: JobQueue
            do { queue = try harness.connect() } catch { Issue.record(error); return }
            group.enter()
            Thread {
                defer { queue.close(); group.leave() }
                do {
                    while let job = try queue.claim(worker: "w\(index)", host: "h") {
                        let firstClaim = claimed.withLock { seen in
                            defer { seen[job.id, default: []].append(job.generation) }
                            return seen[job.id] == nil
                        }
                        // Half the jobs are given back once, so released jobs are claimed again under contention.
                        if job.id % 2 == 0 && firstClaim {
                            try queue.release(job)
                        } else {
                            try queue.complete(job, result: sampleResult)
                        }
                    }
                } catch {
                    failures.withLock { $0.append("w\(index): \(error)") }
                }
            }.start()
        }
        // Waited for without holding a thread of the cooperative pool (two of them; other tests need them).
        await withCheckedContinuation { continuation in group.notify(queue: .global()) { continuation.resume() } }

        #expect(failures.withLock { $0 }.isEmpty)
        let holders = claimed.withLock { $0 }
        #expect(holders.count == jobs)
        // A job given back is claimed exactly twice, with a higher generation the second time; every other job once.
        let wrong = holders.filter { id, generations in
            generations.count != (id % 2 == 0 ? 2 : 1) || generations != generations.sorted()
                || Set(generations).count != generations.count
        }
        #expect(wrong.isEmpty, "claimed too often: \(wrong.prefix(5))")
        let status = try harness.queue.status()
        #expect(status.counts.done == jobs && status.counts.total == jobs)
    }
}
