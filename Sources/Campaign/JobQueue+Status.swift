extension JobQueue {
    /// A consistent snapshot of the queue (one transaction), with up to `failures` recent failures; with
    /// `finished` > 0, that many of the jobs done last; with `history`, the throughput over that window.
    public func status(
        failures: Int = 10, finished: Int = 0, history: ThroughputHistory.Window? = nil
    ) throws -> QueueStatus {
        // Built inside the transaction, which PostgreSQL may run again after a lost connection.
        var status = try store.transaction { session in
            var status = QueueStatus(queue: displayName)
            for row in try session.rows(
                """
                SELECT state, SUM(CASE WHEN state = 'pending' AND not_before > {now} THEN 1 ELSE 0 END), COUNT(*)
                FROM campaign_jobs GROUP BY state
                """, [])
            {
                let count = row.int(2) ?? 0
                switch row.string(0).flatMap(JobState.init) {
                case .pending:
                    status.counts.pending = count
                    status.counts.waiting = row.int(1) ?? 0
                case .running: status.counts.running = count
                case .done: status.counts.done = count
                case .failed: status.counts.failed = count
                case nil: break
                }
            }
            status.running = try session.rows(
                """
                SELECT username, quality, webp, worker, host, attempts, {now} - started_at, {now} - heartbeat_at, lease_until - {now},
                    progress_images, progress_listed, progress_listing_complete, progress_bytes
                FROM campaign_jobs WHERE state = 'running' ORDER BY started_at, id
                """, []
            ).map { row in
                QueueStatus.RunningJob(
                    username: row.string(0) ?? "", quality: row.string(1) ?? "", webp: row.bool(2),
                    worker: row.string(3) ?? "", host: row.string(4) ?? "", attempt: row.int(5) ?? 0,
                    runningSeconds: Self.seconds(row, 6), heartbeatAgeSeconds: Self.seconds(row, 7),
                    leaseLeftSeconds: Self.seconds(row, 8),
                    progress: row.int(9).map { images in
                        JobProgress(
                            images: images, listed: row.int(10) ?? 0, listingComplete: row.bool(11),
                            bytes: row.int64(12) ?? 0)
                    })
            }
            status.recentFailures = try session.rows(
                """
                SELECT username, quality, webp, state, attempts, last_error, {now} - finished_at, not_before - {now}, worker, host
                FROM campaign_jobs WHERE last_error IS NOT NULL AND state IN ('pending', 'failed')
                ORDER BY finished_at DESC, id DESC LIMIT $1
                """, [.init(failures)]
            ).map { row in
                let state = row.string(3).flatMap(JobState.init) ?? .failed
                return QueueStatus.Failure(
                    username: row.string(0) ?? "", quality: row.string(1) ?? "", webp: row.bool(2),
                    state: state, attempts: row.int(4) ?? 0, error: row.string(5) ?? "",
                    secondsAgo: Self.seconds(row, 6),
                    retryInSeconds: state == .pending ? max(0, Self.seconds(row, 7)) : nil,
                    worker: row.string(8), host: row.string(9))
            }
            if let row = try session.rows(
                """
                SELECT COUNT(*), COALESCE(SUM(images), 0), COALESCE(SUM(bytes), 0), {now} - MIN(started_at)
                FROM campaign_jobs WHERE state = 'done' AND finished_at >= {now} - 3600000
                """, []
            ).first {
                var hour = QueueStatus.Throughput()
                hour.jobs = row.int(0) ?? 0
                hour.images = row.int64(1) ?? 0
                hour.bytes = row.int64(2) ?? 0
                hour.windowSeconds = min(3600, max(1, Self.seconds(row, 3)))
                if hour.jobs > 0 {
                    let perHour = 3600 / hour.windowSeconds
                    hour.jobsPerHour = Double(hour.jobs) * perHour
                    hour.imagesPerHour = Double(hour.images) * perHour
                    hour.bytesPerHour = Double(hour.bytes) * perHour
                } else {
                    hour.windowSeconds = 0
                }
                status.lastHour = hour
            }
            if finished > 0 { status.recentlyFinished = try FinishedJob.recent(finished, in: session) }
            if let history, let now = try session.rows("SELECT {now}", []).first?.int64(0) {
                status.history = try ThroughputHistory.read(history, now: now, in: session)
            }
            return status
        }
        let remaining = status.counts.pending + status.counts.running
        if status.lastHour.jobsPerHour > 0 {
            status.etaSeconds = Double(remaining) / status.lastHour.jobsPerHour * 3600
        }
        return status
    }

    private static func seconds(_ row: QueueRow, _ index: Int) -> Double {
        Double(row.int64(index) ?? 0) / 1000
    }
}
