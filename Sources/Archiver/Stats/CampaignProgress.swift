import Foundation

/// A campaign queue's own view of its progress, shown by `stats --queue` beside what IA holds: jobs per state and
/// what the done ones produced. The command reads it from the `Campaign` queue (`Archiver` does not depend on it).
public struct CampaignProgress: Sendable, Encodable, Equatable {
    /// The queue as messages name it (a PostgreSQL URL with its password masked).
    public var queue: String
    /// Pending jobs, including those waiting for their retry backoff (`waiting`).
    public var pending: Int
    public var waiting: Int
    public var running: Int
    public var done: Int
    public var failed: Int
    /// Every job, whatever its state.
    public var total: Int
    public var doneImages: Int64
    public var doneBytes: Int64
    /// Done jobs whose item was uploaded, and those whose upload was verified.
    public var uploaded: Int
    public var verified: Int

    public init(
        queue: String, pending: Int, waiting: Int, running: Int, done: Int, failed: Int, doneImages: Int64,
        doneBytes: Int64, uploaded: Int, verified: Int
    ) {
        self.queue = queue
        self.pending = pending
        self.waiting = waiting
        self.running = running
        self.done = done
        self.failed = failed
        total = pending + running + done + failed
        self.doneImages = doneImages
        self.doneBytes = doneBytes
        self.uploaded = uploaded
        self.verified = verified
    }

    /// Runs `read` on a thread of its own: a campaign queue's calls block, and the cooperative pool must not.
    public static func read(_ read: @escaping @Sendable () throws -> CampaignProgress) async throws -> CampaignProgress
    {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try read() }) }
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
