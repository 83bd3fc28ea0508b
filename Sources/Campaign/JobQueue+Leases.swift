import Synchronization

/// Claims and leases: a worker claims a job (its generation goes up), renews the lease with a
/// heartbeat, checks it still holds the job before each step that must happen once (publish, upload, done),
/// and ends it with complete, fail or release. A call about a job whose generation moved on (another worker
/// took it over after the lease ran out) or that was removed fails with `leaseLost`; the worker then stops
/// that job quietly. At no time do two workers hold the same generation of a job.
extension JobQueue {
    /// Takes the best job there is: the highest priority, then the oldest; pending ones whose backoff has
    /// passed and running ones whose lease ran out alike. Nil when there is nothing to do now.
    ///
    /// The new generation is above the old one and above the database clock's milliseconds × 1000: a claim
    /// that a crash of the database machine took back (commits are not flushed one by one) is never handed
    /// out again with the same generation, so its first holder stays fenced.
    ///
    /// Once per lease length it first fails the running jobs whose lease ran out on their last allowed
    /// attempt (their workers died, or lost the queue, ``QueuePolicy/maxAttempts`` times).
    public func claim(worker: String, host: String) throws -> ClaimedJob? {
        if sweepIsDue() {
            try store.statement(
                """
                UPDATE campaign_jobs SET state = 'failed', last_error = $1, finished_at = {now}, lease_until = NULL
                WHERE state = 'running' AND lease_until < {now} AND attempts >= $2
                """,
                [
                    .text(
                        "the workers that took it stopped renewing their lease \(policy.maxAttempts) times (killed, or cut off from the queue); see their logs"
                    ),
                    .init(policy.maxAttempts),
                ])
        }
        return try store.statement(
            """
            UPDATE campaign_jobs SET state = 'running', worker = $1, host = $2, generation = {greatest}(generation + 1, {now} * 1000),
                attempts = attempts + 1, lease_until = {now} + $3, heartbeat_at = {now}, started_at = {now},
                progress_images = NULL, progress_listed = NULL, progress_listing_complete = NULL, progress_bytes = NULL
            WHERE id = (SELECT id FROM (
                SELECT id, priority FROM (SELECT id, priority FROM campaign_jobs WHERE state = 'pending' AND not_before <= {now}
                    ORDER BY priority DESC, id LIMIT 1 {skip_locked}) AS ready
                UNION ALL
                SELECT id, priority FROM (SELECT id, priority FROM campaign_jobs WHERE state = 'running' AND lease_until < {now} AND attempts < $4
                    ORDER BY priority DESC, id LIMIT 1 {skip_locked}) AS abandoned
                ) AS candidates ORDER BY priority DESC, id LIMIT 1)
            RETURNING id, username, quality, webp, priority, generation, attempts
            """, [.text(worker), .text(host), .integer(policy.lease.milliseconds), .init(policy.maxAttempts)]
        ).first.map { row in
            ClaimedJob(
                id: row.int64(0) ?? 0,
                spec: JobSpec(
                    username: row.string(1) ?? "", quality: row.string(2) ?? "", webp: row.bool(3),
                    priority: row.int(4) ?? 0),
                generation: row.int64(5) ?? 0, attempt: row.int(6) ?? 1)
        }
    }

    /// The heartbeat: extends the lease by ``QueuePolicy/lease`` from now, and records `progress` when given
    /// (nil keeps the last one). Throws `leaseLost` when the job was taken over or removed (a lease that ran out
    /// but was not taken yet is renewed).
    public func renew(_ job: ClaimedJob, progress: JobProgress? = nil) throws {
        let counts: [QueueValue] =
            progress.map { [.init($0.images), .init($0.listed), .init($0.listingComplete), .integer($0.bytes)] }
            ?? [.null, .null, .null, .null]
        let renewed = try store.statement(
            """
            UPDATE campaign_jobs SET lease_until = {now} + $3, heartbeat_at = {now},
                progress_images = COALESCE($4, progress_images), progress_listed = COALESCE($5, progress_listed),
                progress_listing_complete = COALESCE($6, progress_listing_complete), progress_bytes = COALESCE($7, progress_bytes)
            WHERE id = $1 AND generation = $2 AND state = 'running' RETURNING id
            """, [.integer(job.id), .integer(job.generation), .integer(policy.lease.milliseconds)] + counts)
        if renewed.isEmpty { throw leaseLost(job) }
    }

    /// True while `job` is still this worker's: same generation, still running, lease not run out. Checked
    /// before publishing, before each upload and before completing.
    public func stillHolds(_ job: ClaimedJob) throws -> Bool {
        try !store.statement(
            "SELECT id FROM campaign_jobs WHERE id = $1 AND generation = $2 AND state = 'running' AND lease_until > {now}",
            [.integer(job.id), .integer(job.generation)]
        ).isEmpty
    }

    /// Marks `job` done with its result. Throws `leaseLost` when fenced.
    public func complete(_ job: ClaimedJob, result: JobResult) throws {
        let done = try store.statement(
            """
            UPDATE campaign_jobs SET state = 'done', finished_at = {now}, lease_until = NULL, last_error = NULL,
                identifier = $3, images = $4, bytes = $5, uploaded = $6, verified = $7
            WHERE id = $1 AND generation = $2 AND state = 'running' RETURNING id
            """,
            [
                .integer(job.id), .integer(job.generation), .text(result.identifier), .init(result.images),
                .integer(result.bytes), .init(result.uploaded), .init(result.verified),
            ])
        // After a connection lost at the commit, the statement ran again: the first run may have been the one.
        if done.isEmpty, try stateOf(job) != .done { throw leaseLost(job) }
    }

    /// Ends an attempt that failed with `sentence`. Transient: pending again after the policy's backoff, or
    /// failed when that was the last allowed attempt; permanent: failed at once. Throws `leaseLost` when fenced.
    @discardableResult
    public func fail(_ job: ClaimedJob, sentence: String, kind: FailureKind) throws -> FailOutcome {
        let wait = policy.backoff(afterAttempt: job.attempt)
        let state = try store.statement(
            """
            UPDATE campaign_jobs SET state = CASE WHEN attempts >= $3 THEN 'failed' ELSE 'pending' END,
                not_before = {now} + $4, last_error = $5, finished_at = {now}, lease_until = NULL
            WHERE id = $1 AND generation = $2 AND state = 'running' RETURNING state
            """,
            [
                .integer(job.id), .integer(job.generation), .init(kind == .permanent ? 0 : policy.maxAttempts),
                .integer(wait.milliseconds), .text(sentence),
            ]
        ).first?.string(0).flatMap(JobState.init)
        switch try state ?? stateOf(job) {
        case .pending: return .willRetry(after: wait)
        case .failed: return .failed
        default: throw leaseLost(job)
        }
    }

    /// Gives `job` back at once without counting the attempt (the worker is shutting down). Returns false,
    /// which is not an error, when the job was no longer this worker's.
    @discardableResult
    public func release(_ job: ClaimedJob) throws -> Bool {
        try !store.statement(
            """
            UPDATE campaign_jobs SET state = 'pending', attempts = attempts - 1, not_before = 0, lease_until = NULL
            WHERE id = $1 AND generation = $2 AND state = 'running' RETURNING id
            """, [.integer(job.id), .integer(job.generation)]
        ).isEmpty
    }

    /// The state of this generation of `job`, or nil when the job moved on to another generation or is gone.
    private func stateOf(_ job: ClaimedJob) throws -> JobState? {
        try store.statement(
            "SELECT state FROM campaign_jobs WHERE id = $1 AND generation = $2",
            [.integer(job.id), .integer(job.generation)]
        )
        .first?.string(0).flatMap(JobState.init)
    }

    func leaseLost(_ job: ClaimedJob) -> CampaignError {
        CampaignError(
            .leaseLost,
            "the lease on \(job.spec.label) was taken over by another worker, or the job was removed; this worker stops it"
        )
    }

    /// True once per lease length (and on the first claim): only then can a lease have run out unseen.
    private func sweepIsDue() -> Bool {
        let now = ContinuousClock.now
        return lastSweep.withLock { last in
            if let previous = last, now - previous < policy.lease { return false }
            last = now
            return true
        }
    }
}
