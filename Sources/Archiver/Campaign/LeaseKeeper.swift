import Campaign
import Logging
import Synchronization

/// Holds one claimed job's lease while the worker works on it: renews it every third of its length, and answers,
/// before each step that must happen once per item (publishing, every request that writes to IA, marking the job
/// done), whether this worker still holds it.
///
/// The lease counts as held only while (1) the local clock says it has not run out, with a margin of a quarter of
/// its length (a worker that was paused, by SIGSTOP or a suspended machine, finds it out from its own clock before
/// it asks the queue anything), and (2) the queue says this generation of the job is still this worker's. A renewal
/// refused (the job was taken over or removed), or not achieved before the local deadline (the queue cannot be
/// reached), loses the lease for good.
final class LeaseKeeper: Sendable {
    let job: ClaimedJob
    let link: QueueLink
    let lease: Duration
    /// What the job has done so far, sent with every renewal (the campaign page shows it).
    private let progress: @Sendable () -> JobProgress?
    private let logger: Logger
    private struct State {
        /// When the lease runs out at the latest, by this process's clock: from the moment the claim or the last
        /// renewal was sent.
        var validUntil: ContinuousClock.Instant
        var lost = false
    }
    private let state: Mutex<State>

    /// - Parameter sent: when the claim that gave `job` was sent.
    init(
        job: ClaimedJob, link: QueueLink, lease: Duration, sent: ContinuousClock.Instant, logger: Logger,
        progress: @escaping @Sendable () -> JobProgress? = { nil }
    ) {
        self.job = job
        self.link = link
        self.lease = lease
        self.progress = progress
        self.logger = logger
        state = Mutex(State(validUntil: sent + lease))
    }

    /// How long before the local deadline the lease stops counting as held.
    var margin: Duration { lease / 4 }

    var isLost: Bool { state.withLock { $0.lost } }

    /// Returns when the lease is lost: renewed every third of its length, and given up by this worker's own clock
    /// the moment it would run out without a renewal, even while a renewal hangs (a queue that does not answer).
    func keep() async {
        // Not a child task: a renewal blocked in the queue's thread must not hold this up.
        let renewals = Task { await self.renew() }
        defer { renewals.cancel() }
        await watchDeadline()
    }

    /// Returns once the lease is lost: by a refused renewal, or when the local deadline passes with no renewal since.
    private func watchDeadline() async {
        while !Task.isCancelled, !isLost {
            let deadline = state.withLock { $0.validUntil } - margin
            let now = ContinuousClock.now
            guard now < deadline else {
                lose(
                    "its lease could not be renewed before it ran out (the queue did not answer, or this worker was paused)"
                )
                return
            }
            do { try await Task.sleep(for: min(deadline - now, .milliseconds(250))) } catch { return }
        }
    }

    /// Renews the lease until cancelled; returns when the queue refuses a renewal or the lease is lost otherwise.
    private func renew() async {
        var wait = lease / 3
        while !Task.isCancelled {
            do { try await Task.sleep(for: wait) } catch { return }
            let sent = ContinuousClock.now
            do {
                try await link.renew(job, progress: progress())
                state.withLock { $0.validUntil = sent + lease }
                wait = lease / 3
            } catch let error as CampaignError where error.code == .leaseLost {
                lose("\(error)")
                return
            } catch {
                if isLost { return }
                logger.warning("\(job.spec.username): could not renew the lease (\(error)); trying again")
                wait = min(lease / 12, .seconds(5))
            }
        }
    }

    /// The check before publishing, each write to IA and marking the job done.
    func stillHolds() async -> Bool {
        let (lost, validUntil) = state.withLock { ($0.lost, $0.validUntil) }
        if lost { return false }
        guard ContinuousClock.now < validUntil - margin else {
            lose("its lease ran out while this worker could not renew it (paused, or cut off from the queue)")
            return false
        }
        do {
            if try await link.stillHolds(job) { return true }
            lose("the queue says another worker holds it now")
        } catch {
            // Unsure is not enough to write to an item another worker may be writing to.
            logger.warning(
                "\(job.spec.username): could not ask the queue whether this worker still holds the job (\(error)); not writing"
            )
        }
        return false
    }

    private func lose(_ reason: String) {
        let first = state.withLock { s -> Bool in
            defer { s.lost = true }
            return !s.lost
        }
        if first {
            logger.notice(
                "\(job.spec.username): this worker no longer holds the job: \(reason); it stops it, and the worker holding it finishes it"
            )
        }
    }
}
