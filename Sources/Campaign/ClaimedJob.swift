/// A job a worker holds: the lease it got and the generation that fences it. Every later call about the job
/// passes it back; when another worker has taken the job over since, those calls fail with `leaseLost`.
public struct ClaimedJob: Sendable, Hashable {
    /// The job's row in the queue.
    public let id: Int64
    public let spec: JobSpec
    /// Raised by every claim; only the holder of the current generation may renew, complete or fail the job.
    public let generation: Int64
    /// 1 for the first claim; a released job does not count.
    public let attempt: Int
}

/// What a finished job produced, kept with the job (its images and bytes make `queue status`'s pace).
public struct JobResult: Sendable, Hashable {
    /// The Internet Archive identifier of the item.
    public var identifier: String
    public var images: Int
    public var bytes: Int64
    public var uploaded: Bool
    public var verified: Bool

    public init(identifier: String, images: Int, bytes: Int64, uploaded: Bool, verified: Bool) {
        self.identifier = identifier
        self.images = images
        self.bytes = bytes
        self.uploaded = uploaded
        self.verified = verified
    }
}

/// How a failure was judged by the worker.
public enum FailureKind: Sendable {
    /// Worth another attempt later (network, server errors): back to pending with a backoff.
    case transient
    /// Another attempt would fail the same way (unknown user, identifier refused): failed at once.
    case permanent
}

/// What ``JobQueue/fail(_:sentence:kind:)`` did.
public enum FailOutcome: Sendable, Equatable {
    /// Pending again; claimable after the wait.
    case willRetry(after: Duration)
    /// Failed for good (permanent, or out of attempts).
    case failed
}
