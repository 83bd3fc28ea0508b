import Campaign
import Foundation
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
        try queue.add(users.map { JobSpec(username: $0, quality: "original", webp: true, priority: priority) }, again: again)
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

let sampleResult = JobResult(identifier: "mapillary-alice-original-webp", images: 120, bytes: 48_000_000, uploaded: true, verified: true)
