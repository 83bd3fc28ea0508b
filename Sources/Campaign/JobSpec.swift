/// What `queue add` puts in the queue: one contributor at one quality and format. The queue never reads the
/// quality: it is a word the worker understands (256, 1024, 2048, original).
public struct JobSpec: Sendable, Hashable {
    public var username: String
    public var quality: String
    public var webp: Bool
    /// Higher runs first; equal priorities run oldest first.
    public var priority: Int

    public init(username: String, quality: String, webp: Bool, priority: Int = 0) {
        self.username = username
        self.quality = quality
        self.webp = webp
        self.priority = priority
    }

    /// `alice (original, webp)`: how messages name a job.
    public var label: String { "\(username) (\(quality)\(webp ? ", webp" : ", jpeg"))" }
}

/// What `add` did with one ``JobSpec``.
public enum AddOutcome: Sendable, Equatable {
    /// New in the queue.
    case added
    /// Back to pending: it had failed, or it was done and `again` asked for an update run.
    case requeued(from: JobState)
    /// Left as it was: already pending, running, or done (without `again`).
    case alreadyQueued(JobState)
}

/// A job's state: `pending → running → done | failed`.
public enum JobState: String, Sendable, Encodable, CaseIterable {
    case pending, running, done, failed
}
