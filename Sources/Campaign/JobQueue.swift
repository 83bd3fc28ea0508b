import Synchronization

/// The campaign's work queue: jobs (one contributor at one quality and format) that workers claim under a
/// lease, renew, and complete or fail; on a SQLite file (one machine) or a PostgreSQL database (several),
/// with one schema and one behaviour. It knows nothing of Mapillary or the Internet Archive.
///
/// Calls block on disk or network I/O: make them from a thread that may block, not from the cooperative
/// pool. The object is safe to share between threads.
public final class JobQueue: Sendable {
    public let location: QueueLocation
    public let policy: QueuePolicy
    let store: any QueueStore
    /// When ``claim(worker:host:)`` last failed the jobs out of attempts.
    let lastSweep = Mutex<ContinuousClock.Instant?>(nil)

    /// Opens the queue at `location`, bringing its schema up to date. `create`: a missing SQLite file is made
    /// (else refused); a PostgreSQL database must exist, its tables are made on first use.
    public init(_ location: QueueLocation, policy: QueuePolicy = QueuePolicy(), create: Bool = true) throws {
        self.location = location
        self.policy = policy
        switch location {
        case .sqlite(let path): store = try SQLiteQueueStore(path: path, create: create)
        case .postgres(let url): store = try PostgresQueueStore(url: url, policy: policy)
        }
    }

    /// The queue as messages name it (a PostgreSQL URL with its password masked).
    public var displayName: String { store.displayName }

    public func close() { store.close() }

    /// Adds jobs, in order, in one transaction. A job already pending, running or done is left as it is (and
    /// reported); `again` puts a done one back to pending for an update run. A failed one goes back to pending.
    /// Adding again does not change a queued job's priority.
    public func add(_ specs: [JobSpec], again: Bool = false) throws -> [AddOutcome] {
        try store.transaction { session in
            try specs.map { spec in
                let key: [QueueValue] = [
                    .text(spec.username), .text(spec.quality), .init(spec.webp), .init(spec.priority),
                ]
                let inserted = try session.rows(
                    """
                    INSERT INTO campaign_jobs (username, quality, webp, priority, state, added_at) VALUES ($1, $2, $3, $4, 'pending', {now})
                    ON CONFLICT (username, quality, webp) DO NOTHING RETURNING id
                    """, key)
                if !inserted.isEmpty { return .added }
                let state =
                    try session.rows(
                        "SELECT state FROM campaign_jobs WHERE username = $1 AND quality = $2 AND webp = $3",
                        Array(key.prefix(3))
                    ).first?.string(0).flatMap(JobState.init) ?? .pending
                guard state == .failed || (state == .done && again) else { return .alreadyQueued(state) }
                try session.rows(
                    """
                    UPDATE campaign_jobs SET state = 'pending', priority = $4, attempts = 0, not_before = 0, last_error = NULL,
                        finished_at = NULL, identifier = NULL, images = NULL, bytes = NULL, uploaded = NULL, verified = NULL
                    WHERE username = $1 AND quality = $2 AND webp = $3 AND state IN ('done', 'failed')
                    """, key)
                return .requeued(from: state)
            }
        }
    }

    /// Puts failed jobs back to pending with their attempts reset: those of `usernames`, or every failed job
    /// when nil. Returns the jobs it changed.
    public func retry(usernames: [String]?) throws -> [JobChange] {
        let sql = """
            UPDATE campaign_jobs SET state = 'pending', attempts = 0, not_before = 0, last_error = NULL, finished_at = NULL
            WHERE state = 'failed' AND (username = $1 OR $2 = 1) RETURNING username, quality, webp, priority, 'failed', worker
            """
        return try store.transaction { session in
            guard let usernames else {
                return try session.rows(sql, [.text(""), .integer(1)]).map(JobChange.init(row:))
            }
            return try usernames.flatMap { try session.rows(sql, [.text($0), .integer(0)]).map(JobChange.init(row:)) }
        }
    }

    /// Deletes every job of `usernames`, whatever its state. A worker holding one finds its lease gone at its
    /// next renewal or check, and stops it. Returns the jobs it removed.
    public func remove(usernames: [String]) throws -> [JobChange] {
        try store.transaction { session in
            try usernames.flatMap { username in
                try session.rows(
                    "DELETE FROM campaign_jobs WHERE username = $1 RETURNING username, quality, webp, priority, state, worker",
                    [.text(username)]
                ).map(JobChange.init(row:))
            }
        }
    }
}

/// A job that `retry` or `remove` changed, with its state before.
public struct JobChange: Sendable, Equatable {
    public let spec: JobSpec
    public let previous: JobState
    /// The worker that held (or last held) it.
    public let worker: String?

    init(row: QueueRow) {
        spec = JobSpec(
            username: row.string(0) ?? "", quality: row.string(1) ?? "", webp: row.bool(2), priority: row.int(3) ?? 0)
        previous = row.string(4).flatMap(JobState.init) ?? .pending
        worker = row.string(5)
    }
}
