import Campaign
import Foundation

/// A campaign queue's own view of its progress, shown by `stats --queue` beside what IA holds: jobs per state and
/// what the done ones produced.
public struct CampaignProgress: Sendable, Encodable, Equatable {
    /// The queue as messages name it (a PostgreSQL URL with its password masked).
    public var queue: String
    /// Pending jobs, including those waiting for their retry backoff (`waiting`).
    public var pending = 0
    public var waiting = 0
    public var running = 0
    public var done = 0
    public var failed = 0
    public var doneImages: Int64 = 0
    public var doneBytes: Int64 = 0
    /// Done jobs whose item was uploaded, and those whose upload was verified.
    public var uploaded = 0
    public var verified = 0

    /// Every job, whatever its state.
    public var total = 0

    public init(queue: String, counts: QueueStatus.Counts, done totals: DoneTotals) {
        self.queue = queue
        pending = counts.pending
        waiting = counts.waiting
        running = counts.running
        done = counts.done
        failed = counts.failed
        total = counts.total
        doneImages = totals.images
        doneBytes = totals.bytes
        uploaded = totals.uploaded
        verified = totals.verified
    }

    /// Reads the queue at `location` (which must exist) on a thread of its own: the queue's calls block.
    public static func read(_ location: QueueLocation) async throws -> CampaignProgress {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result {
                    let queue = try JobQueue(location, create: false)
                    defer { queue.close() }
                    return CampaignProgress(queue: queue.displayName, counts: try queue.status(failures: 0).counts,
                                            done: try queue.doneTotals())
                })
            }
            thread.name = "queue-read"
            thread.start()
        }
    }

    enum CodingKeys: String, CodingKey {
        case queue, pending, waiting, running, done, failed, total, uploaded, verified
        case doneImages = "done_images"
        case doneBytes = "done_bytes"
    }
}
