import Essentials

extension QueueStatus {
    /// The report `queue status` prints for people.
    public func table() -> String {
        var lines = ["queue: \(queue)"]
        var counts = "jobs: \(counts.pending) pending"
        if self.counts.waiting > 0 { counts += " (\(self.counts.waiting) waiting to retry)" }
        counts += ", \(self.counts.running) running, \(self.counts.done) done, \(self.counts.failed) failed"
        lines.append(counts)
        if !running.isEmpty {
            lines.append("running:")
            for job in running {
                let heartbeat = job.leaseLeftSeconds < 0 ? job.heartbeat : "heartbeat \(job.heartbeat)"
                var line =
                    "  \(job.label)  \(job.worker) on \(job.host)  attempt \(job.attempt)  running \(ByteFormat.duration(seconds: job.runningSeconds))  \(heartbeat)"
                if let progress = job.progress { line += "  " + progress.summary }
                lines.append(line)
            }
        }
        lines.append(pace)
        if !recentFailures.isEmpty {
            lines.append("recent failures:")
            for failure in recentFailures {
                lines.append("  \(failure.label)  \(failure.outcome): \(failure.error)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `last hour: 1 job, 18234 images, 2.14 GB (1.5 jobs/h, ...); about 2h 0m left at this pace`.
    public var pace: String {
        guard lastHour.jobs > 0 else { return "last hour: no job finished" }
        var pace =
            "last hour: \(lastHour.jobs) job\(lastHour.jobs == 1 ? "" : "s"), \(lastHour.images) images, \(ByteFormat.size(lastHour.bytes))"
        pace +=
            " (\(ByteFormat.formatFixed(lastHour.jobsPerHour, decimals: 1)) jobs/h, \(Int64(lastHour.imagesPerHour.rounded())) images/h, \(ByteFormat.size(Int64(lastHour.bytesPerHour)))/h)"
        if let etaSeconds { pace += "; about \(ByteFormat.duration(seconds: etaSeconds)) left at this pace" }
        return pace
    }
}

extension QueueStatus.RunningJob {
    /// `bob (2048, webp)`.
    public var label: String { JobSpec(username: username, quality: quality, webp: webp).label }

    /// `12s ago`, or `lease ran out 3m 0s ago (worker gone?)`.
    public var heartbeat: String {
        leaseLeftSeconds < 0
            ? "lease ran out \(ByteFormat.duration(seconds: -leaseLeftSeconds)) ago (worker gone?)"
            : "\(ByteFormat.duration(seconds: heartbeatAgeSeconds)) ago"
    }
}

extension QueueStatus.Failure {
    /// `carol (2048, webp)`.
    public var label: String { JobSpec(username: username, quality: quality, webp: webp).label }

    /// `failed for good after 2 attempts, 1m 0s ago`, or `attempt 2 failed 1m 0s ago, next in 3m 0s`.
    public var outcome: String {
        let when = "\(ByteFormat.duration(seconds: secondsAgo)) ago"
        return state == .failed
            ? "failed for good after \(attempts) attempt\(attempts == 1 ? "" : "s"), \(when)"
            : "attempt \(attempts) failed \(when), next in \(ByteFormat.duration(seconds: retryInSeconds ?? 0))"
    }
}

extension FinishedJob {
    /// `alice (2048, webp)`.
    public var label: String { JobSpec(username: username, quality: quality, webp: webp).label }
}
