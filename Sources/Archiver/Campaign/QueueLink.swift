import Campaign
import Essentials

/// The worker's way to its queue: every call of ``JobQueue`` (which blocks on SQLite or on the network to
/// PostgreSQL) runs on one thread of its own, one at a time, never on the cooperative pool.
actor QueueLink {
    nonisolated let executor: DedicatedThreadExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    nonisolated let queue: JobQueue

    init(_ queue: JobQueue) throws {
        executor = try DedicatedThreadExecutor(name: "queue")
        self.queue = queue
    }

    /// Ends the thread once the calls already made are answered.
    nonisolated func shutdown() {
        executor.shutdown()
    }

    func claim(worker: String, host: String) throws -> ClaimedJob? {
        try queue.claim(worker: worker, host: host)
    }

    func renew(_ job: ClaimedJob, progress: JobProgress?) throws {
        try queue.renew(job, progress: progress)
    }

    func stillHolds(_ job: ClaimedJob) throws -> Bool {
        try queue.stillHolds(job)
    }

    func complete(_ job: ClaimedJob, result: JobResult) throws {
        try queue.complete(job, result: result)
    }

    func fail(_ job: ClaimedJob, sentence: String, kind: FailureKind) throws -> FailOutcome {
        try queue.fail(job, sentence: sentence, kind: kind)
    }

    func release(_ job: ClaimedJob) throws -> Bool {
        try queue.release(job)
    }

    func status() throws -> QueueStatus {
        try queue.status(failures: 0)
    }
}
