import Campaign
import Foundation
import SQLiteStore
import Testing
import TestSupport

/// The two queue backends every behaviour test runs against.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// One test's queue: a SQLite file in a temporary folder, or a fresh database on the test PostgreSQL server.
/// Further connections to the same queue stand in for other workers (other processes, other machines).
final class QueueHarness: Sendable {
    let backend: Backend
    let location: QueueLocation
    let queue: JobQueue
    private let temp: TemporaryDirectory

    init(_ backend: Backend, policy: QueuePolicy = QueuePolicy()) throws {
        self.backend = backend
        temp = try TemporaryDirectory("queue")
        switch backend {
        case .sqlite: location = .sqlite(path: temp.file("queue.sqlite"))
        case .postgres: location = .postgres(url: try TestPostgres.freshDatabase())
        }
        queue = try JobQueue(location, policy: policy)
    }

    /// Another worker's connection to the same queue.
    func connect(policy: QueuePolicy? = nil) throws -> JobQueue {
        try JobQueue(location, policy: policy ?? queue.policy)
    }

    /// A policy with short times, so that leases and backoffs run out within a test.
    static func quick(lease: Double = 1, maxAttempts: Int = 5, backoff: Double = 1) -> QueuePolicy {
        var policy = QueuePolicy()
        policy.lease = .milliseconds(Int(lease * 1000))
        policy.maxAttempts = maxAttempts
        policy.backoffBase = .milliseconds(Int(backoff * 1000))
        return policy
    }

    @discardableResult
    func add(_ users: [String], priority: Int = 0, again: Bool = false) throws -> [AddOutcome] {
        try queue.add(
            users.map { JobSpec(username: $0, quality: "original", webp: true, priority: priority) }, again: again)
    }

    /// Runs `sql` on the queue's database behind the queue's back (SQLite directly, PostgreSQL through psql).
    func execute(_ sql: String) throws {
        switch location {
        case .sqlite(let path):
            let database = try SQLiteDatabase(path: path)
            defer { database.close() }
            try database.execute(sql)
        case .postgres(let url): try TestPostgres.psql(url, sql)
        }
    }

    func close() {
        queue.close()
        temp.remove()
    }
}

/// Waits without holding a thread of the cooperative pool (which other tests, running at once, need).
func pause(seconds: Double) async throws {
    try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
}

let sampleResult = JobResult(
    identifier: "mapillary-alice-original-webp", images: 120, bytes: 48_000_000, uploaded: true, verified: true)

/// Time since a moment, for checks that only hold while a lease or a backoff has not run out yet. On a machine so
/// busy that the check comes too late, the check is left out rather than failed; every run that makes it in time
/// (nearly all) asserts it.
struct Stopwatch {
    private let start = ContinuousClock.now

    /// Whether less than `seconds` passed since the stopwatch started.
    func within(seconds: Double) -> Bool {
        ContinuousClock.now - start < .milliseconds(Int(seconds * 1000))
    }

    var elapsedSeconds: Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// Claims until a job comes (a backoff or a lease running out), polling every 50 ms for up to `limit` seconds.
func claimWhenDue(_ queue: JobQueue, worker: String, limit: Double = 20) async throws -> ClaimedJob? {
    let watch = Stopwatch()
    while true {
        if let job = try queue.claim(worker: worker, host: "h") { return job }
        // Asked after every pause, the last one included: a busy machine once kept a pause of 50 ms waiting for the
        // whole limit, and a loop that looked at the clock first gave up without asking again.
        guard watch.within(seconds: limit) else { return nil }
        try await pause(seconds: 0.05)
    }
}
