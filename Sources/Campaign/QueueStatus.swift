import Foundation

/// A snapshot of the queue for `queue status`: counts per state, the running jobs, recent failures,
/// the throughput of the last hour and an estimate of the time left. Its JSON shape is documented in
/// docs/campaigns.md (keys in snake_case).
public struct QueueStatus: Sendable, Encodable, Equatable {
    public struct Counts: Sendable, Encodable, Equatable {
        /// Pending jobs, including those waiting for their retry backoff (``waiting``).
        public var pending = 0
        public var waiting = 0
        public var running = 0
        public var done = 0
        public var failed = 0
        public var total: Int { pending + running + done + failed }
    }

    public struct RunningJob: Sendable, Encodable, Equatable {
        public var username: String
        public var quality: String
        public var webp: Bool
        public var worker: String
        public var host: String
        public var attempt: Int
        public var runningSeconds: Double
        public var heartbeatAgeSeconds: Double
        /// Negative when the lease ran out (the worker stopped answering): another worker may take the job.
        public var leaseLeftSeconds: Double
        /// What the worker reported with its last heartbeat; nil until it reports.
        public var progress: JobProgress?
    }

    public struct Failure: Sendable, Encodable, Equatable {
        public var username: String
        public var quality: String
        public var webp: Bool
        /// `failed` for good, or `pending` when another attempt will follow.
        public var state: JobState
        public var attempts: Int
        public var error: String
        public var secondsAgo: Double
        /// For a pending job, when its next attempt may start.
        public var retryInSeconds: Double?
        public var worker: String?
        public var host: String?
    }

    /// What the jobs done in the last hour produced, over the part of the hour they ran in.
    public struct Throughput: Sendable, Encodable, Equatable {
        public var jobs = 0
        public var images: Int64 = 0
        public var bytes: Int64 = 0
        /// From the start of the earliest of those jobs (at most an hour ago) until now.
        public var windowSeconds: Double = 0
        public var jobsPerHour: Double = 0
        public var imagesPerHour: Double = 0
        public var bytesPerHour: Double = 0
    }

    public var queue: String
    public var counts = Counts()
    public var running: [RunningJob] = []
    public var recentFailures: [Failure] = []
    public var lastHour = Throughput()
    /// Pending and running jobs at the last hour's pace; nil when nothing finished in the last hour.
    public var etaSeconds: Double?
    /// The jobs done last, newest first; nil unless asked for.
    public var recentlyFinished: [FinishedJob]?
    /// The throughput slot by slot over a recent window; nil unless asked for.
    public var history: ThroughputHistory?

    /// The JSON `queue status --json` prints.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    enum CodingKeys: String, CodingKey {
        case queue, counts, running, recentFailures, lastHour, etaSeconds, recentlyFinished, history
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(queue, forKey: .queue)
        try container.encode(counts, forKey: .counts)
        try container.encode(running, forKey: .running)
        try container.encode(recentFailures, forKey: .recentFailures)
        try container.encode(lastHour, forKey: .lastHour)
        // Always present, null when there is no estimate, so scripts can rely on the key.
        try container.encode(etaSeconds, forKey: .etaSeconds)
        try container.encodeIfPresent(recentlyFinished, forKey: .recentlyFinished)
        try container.encodeIfPresent(history, forKey: .history)
    }
}

extension QueueStatus.Counts {
    enum CodingKeys: String, CodingKey { case pending, waiting, running, done, failed, total }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(pending, forKey: .pending)
        try container.encode(waiting, forKey: .waiting)
        try container.encode(running, forKey: .running)
        try container.encode(done, forKey: .done)
        try container.encode(failed, forKey: .failed)
        try container.encode(total, forKey: .total)
    }
}
