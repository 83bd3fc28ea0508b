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
                let heartbeat = job.leaseLeftSeconds < 0
                    ? "lease ran out \(ByteFormat.duration(seconds: -job.leaseLeftSeconds)) ago (worker gone?)"
                    : "heartbeat \(ByteFormat.duration(seconds: job.heartbeatAgeSeconds)) ago"
                lines.append("  \(label(job.username, job.quality, job.webp))  \(job.worker) on \(job.host)  attempt \(job.attempt)  running \(ByteFormat.duration(seconds: job.runningSeconds))  \(heartbeat)")
            }
        }
        if lastHour.jobs > 0 {
            var pace = "last hour: \(lastHour.jobs) job\(lastHour.jobs == 1 ? "" : "s"), \(lastHour.images) images, \(ByteFormat.size(lastHour.bytes))"
            pace += " (\(ByteFormat.formatFixed(lastHour.jobsPerHour, decimals: 1)) jobs/h, \(Int64(lastHour.imagesPerHour.rounded())) images/h, \(ByteFormat.size(Int64(lastHour.bytesPerHour)))/h)"
            if let etaSeconds { pace += "; about \(ByteFormat.duration(seconds: etaSeconds)) left at this pace" }
            lines.append(pace)
        } else {
            lines.append("last hour: no job finished")
        }
        if !recentFailures.isEmpty {
            lines.append("recent failures:")
            for failure in recentFailures {
                let when = "\(ByteFormat.duration(seconds: failure.secondsAgo)) ago"
                let outcome = failure.state == .failed
                    ? "failed for good after \(failure.attempts) attempt\(failure.attempts == 1 ? "" : "s"), \(when)"
                    : "attempt \(failure.attempts) failed \(when), next in \(ByteFormat.duration(seconds: failure.retryInSeconds ?? 0))"
                lines.append("  \(label(failure.username, failure.quality, failure.webp))  \(outcome): \(failure.error)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func label(_ username: String, _ quality: String, _ webp: Bool) -> String {
        JobSpec(username: username, quality: quality, webp: webp).label
    }
}
