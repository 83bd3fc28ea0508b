import Campaign
import Essentials
import Foundation
import InternetArchive
import Logging
import Mapillary
import Synchronization

/// `worker`: claims jobs from a campaign queue and runs each, up to ``WorkerSettings/jobs`` at once, through
/// download → item → upload → IA's check, then records the result in the queue. All jobs share one transfer
/// budget, one CPU pool and one Mapillary API gate, as the users of one `download` do.
///
/// Each job is held under a lease (``LeaseKeeper``): renewed while it runs, checked before publishing, before every
/// write to IA and before marking it done. A job whose lease is lost is stopped quietly (the worker holding it now
/// finishes it). A transient failure goes back to the queue with a backoff, a permanent one fails the job. A
/// rejected token, rejected IA keys or a full disk stop the worker: its jobs go back to the queue at once.
public struct CampaignWorker: Sendable {
    public let options: DownloadOptions
    public let settings: WorkerSettings
    public let queue: JobQueue
    public let env: RunEnvironment
    public let log: ReportLog?

    /// - Parameter options: everything a job needs but its user, quality and WebP choice (which come from the job).
    public init(
        options: DownloadOptions, settings: WorkerSettings, queue: JobQueue, env: RunEnvironment,
        log: ReportLog? = nil
    ) {
        self.options = options
        self.settings = settings
        self.queue = queue
        self.env = env
        self.log = log
    }

    /// Runs until stopped (cancelled), or with ``WorkerSettings/untilEmpty`` until the queue has nothing left to
    /// do, or until an error that stops the worker.
    public func run() async -> WorkerReport {
        // No console line, log file or summary shows the token or the IA secret, in any form.
        env.console.hide(SecretMask([options.token], marker: "‹token›"))
        if let credentials = options.credentials { env.console.hide(credentials.mask) }
        let link: QueueLink
        do {
            try options.validate()
            link = try QueueLink(queue)
        } catch {
            return WorkerReport(jobs: [], stopped: "\(error)")
        }
        defer { link.shutdown() }
        let shared = WorkerState()
        let budget = TransferBudget(
            fixed: options.concurrency, ceiling: options.maxConcurrency, jobs: settings.jobs,
            cpu: env.cpu, logger: env.logger)
        let progress = BatchProgress(users: nil)
        let totals = Task {
            while !Task.isCancelled {
                env.console.status(
                    BatchProgress.statusKey,
                    progress.line(
                        transfers: budget.netSlots.limit,
                        paused: env.mapillaryGate.isPaused,
                        label: "worker \(settings.name)"))
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        defer {
            totals.cancel()
            env.console.status(BatchProgress.statusKey, nil)
        }
        env.logger.info(
            "worker \(settings.name) on \(queue.displayName): \(settings.jobs) jobs at once\(settings.untilEmpty ? ", until the queue is empty" : "")"
        )
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<settings.jobs {
                group.addTask {
                    await slot(link: link, budget: budget, shared: shared, progress: progress)
                }
            }
            // A stop (a rejected token, a full disk) ends every slot: their jobs are released.
            while await group.next() != nil {
                if shared.stopReason != nil { group.cancelAll() }
            }
        }
        return WorkerReport(jobs: shared.reports, stopped: shared.stopReason)
    }

    /// One place for a job: claims, runs, records, until the worker stops.
    private func slot(link: QueueLink, budget: TransferBudget, shared: WorkerState, progress: BatchProgress) async {
        var idle = settings.pollInterval
        var queueTrouble: Duration = .seconds(1)
        while !Task.isCancelled, shared.stopReason == nil {
            let sent = ContinuousClock.now
            let claimed: ClaimedJob?
            do {
                claimed = try await link.claim(worker: settings.name, host: settings.host)
                queueTrouble = .seconds(1)
            } catch is CancellationError {
                return
            } catch {
                env.logger.warning(
                    "the queue \(queue.displayName) could not be asked for a job (\(error)); trying again in \(queueTrouble.shortText)"
                )
                try? await Task.sleep(for: queueTrouble)
                queueTrouble = min(queueTrouble * 2, .seconds(60))
                continue
            }
            guard let job = claimed else {
                if settings.untilEmpty, await isDone(link: link, shared: shared) { return }
                // Idle: ask again a little later, each slot at its own moment.
                try? await Task.sleep(for: idle + .milliseconds(Int.random(in: 0...500)))
                idle = min(idle * 2, settings.maxPollInterval)
                continue
            }
            idle = settings.pollInterval
            shared.running(+1)
            await run(job, sent: sent, link: link, budget: budget, shared: shared, progress: progress)
            shared.running(-1)
        }
    }

    /// True when no job is pending and none runs under a live lease but this worker's own: with `--until-empty`,
    /// time to stop. A job whose worker died still counts as running until its lease runs out and it is claimed.
    private func isDone(link: QueueLink, shared: WorkerState) async -> Bool {
        guard let status = try? await link.status() else { return false }
        return status.counts.pending == 0 && status.counts.running <= shared.runningCount
    }

    private func run(
        _ job: ClaimedJob, sent: ContinuousClock.Instant, link: QueueLink, budget: TransferBudget,
        shared: WorkerState, progress: BatchProgress
    ) async {
        let user = job.spec.username
        let logger = env.hub.logger("mapillary-archiver", job: user)
        // A job added by another tool, or by hand, meets the rules `queue add` applies.
        let problem =
            MapillaryUsername.problem(user)
            ?? (Quality(argument: job.spec.quality) == nil
                ? "the job's quality '\(MapillaryError.sanitized(job.spec.quality, limit: 20))' is not one of 256, 1024, 2048, original; remove it and add it again"
                : nil)
        guard let quality = Quality(argument: job.spec.quality), problem == nil else {
            await record(job, link: link, logger: logger) {
                _ = try await link.fail(job, sentence: problem ?? "", kind: .permanent)
            }
            return
        }
        logger.info("\(user): claimed \(job.spec.label), attempt \(job.attempt)")
        var options = self.options
        options.usernames = [user]
        options.quality = quality
        options.webp = job.spec.webp
        // An unfinished item on IA (no metadata.jsonl.gz) is a reason to skip the user only on the job's first
        // attempt: on a later one, that item may be this job's own upload, cut short when the worker doing it died.
        options.unfinishedItemOnIAIsOurs = job.attempt > 1
        // The keeper reports the job's counters; the job asks the keeper: both made here, the keeper first.
        let counters = RunCounters()
        let keeper = LeaseKeeper(job: job, link: link, lease: queue.policy.lease, sent: sent, logger: logger) {
            JobProgress(
                images: counters.alreadyDone.load(ordering: .relaxed) + counters.done.load(ordering: .relaxed),
                listed: counters.listed.load(ordering: .relaxed),
                listingComplete: counters.listingComplete.load(ordering: .relaxed),
                bytes: Int64(counters.bytesWritten.load(ordering: .relaxed)))
        }
        let userJob = UserJob(
            user: user, options: options, env: env, budget: budget, counters: counters,
            fence: { await keeper.stillHolds() })
        let index = shared.nextIndex()
        progress.started(index, userJob.counters)
        // The job and its lease side by side: a lost lease stops the job; the end of the job stops the renewals.
        var report = await withTaskGroup(of: UserReport?.self) { group in
            group.addTask { await userJob.run() }
            group.addTask {
                await keeper.keep()
                return nil
            }
            var finished: UserReport?
            while let next = await group.next() {
                if let next { finished = next }
                group.cancelAll()
            }
            return finished!
        }
        if settings.deleteAfterUpload, report.uploadState == .verified, !keeper.isLost,
            case .published(let path) = report.outcome
        {
            await removeAfterUpload(path, logger: logger)
        }
        let verdict = Verdict(report, leaseLost: keeper.isLost || report.leaseLost, stopping: Task.isCancelled)
        switch verdict {
        case .leaseLost:
            report.outcome = .incomplete(reason: "another worker took the job over")
        case .release:
            await record(job, link: link, logger: logger) { _ = try await link.release(job) }
        case .stop(let reason):
            shared.stop(reason)
            env.logger.error("\(user): \(reason); the worker stops (its jobs go back to the queue)")
            await record(job, link: link, logger: logger) { _ = try await link.release(job) }
        case .complete(let result):
            guard await keeper.stillHolds() else { break }
            await record(job, link: link, logger: logger) { try await link.complete(job, result: result) }
        case .fail(let sentence, let kind):
            await record(job, link: link, logger: logger) {
                switch try await link.fail(job, sentence: sentence, kind: kind) {
                case .willRetry(let after):
                    logger.warning(
                        "\(user): failed (\(sentence)); the queue tries it again in \(after.shortText) at the earliest")
                case .failed:
                    logger.error("\(user): failed for good: \(sentence)")
                }
            }
        }
        progress.finished(index, report)
        shared.finished(report)
        log?.append(report)
    }

    /// Runs a queue call that records a job's end until it succeeds: a lost connection is waited out (the result
    /// is not dropped), a lost lease is the other worker's business.
    private func record(_ job: ClaimedJob, link: QueueLink, logger: Logger, _ call: () async throws -> Void) async {
        var pause: Duration = .seconds(1)
        while true {
            do {
                try await call()
                return
            } catch let error as CampaignError where error.code == .leaseLost {
                logger.notice("\(job.spec.username): \(error)")
                return
            } catch {
                logger.warning(
                    "\(job.spec.username): could not record the job in the queue (\(error)); trying again in \(pause.shortText)"
                )
                // Even when stopping, the result is worth the wait: without it the job would be done again.
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(60))
                if Task.isCancelled && pause >= .seconds(60) { return }
            }
        }
    }

    /// `--delete-after-upload`: IA holds every file with its MD5, so the item's files go; its private folder
    /// (the download state with every record and tar, the upload journal) and its thumbnail stay, so that a later
    /// run of the user fetches only new images (docs/campaigns.md).
    private func removeAfterUpload(_ item: String, logger: Logger) async {
        do {
            let removed = try await DedicatedThread.run(name: "trim") { try ItemTrimmer.trim(item: item) }
            logger.info(
                "\(item): removed \(removed) files after IA confirmed them (--delete-after-upload); the download state stays for later runs"
            )
        } catch {
            logger.warning("\(item): could not remove the uploaded files (\(error)); they stay")
        }
    }
}

/// What the worker was told to do, besides the download options.
public struct WorkerSettings: Sendable {
    /// How this worker names itself in the queue (`queue status` shows it).
    public var name: String
    public var host: String
    /// Jobs run at once.
    public var jobs: Int
    /// Stop once no job is pending and none runs under a live lease.
    public var untilEmpty = false
    /// Remove an item's files once IA holds every one of them with its MD5.
    public var deleteAfterUpload = false
    /// The wait before asking an empty queue again (it doubles up to ``maxPollInterval``).
    public var pollInterval: Duration = .seconds(2)
    public var maxPollInterval: Duration = .seconds(30)

    public init(name: String, host: String, jobs: Int) {
        self.name = name
        self.host = host
        self.jobs = jobs
    }

    /// This machine's name, for the queue.
    public static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown-host" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// What one worker did.
public struct WorkerReport: Sendable {
    public let jobs: [UserReport]
    /// Why the worker stopped early, when it did.
    public let stopped: String?

    /// 0 when every job this worker ran ended well (or there was none); 1 otherwise or after an early stop.
    public var exitCode: Int32 { stopped == nil && jobs.allSatisfy { $0.succeeded || $0.leaseLost } ? 0 : 1 }

    /// The summary printed at the end: the jobs as `download` shows its users, and the reason of an early stop.
    public func table() -> String {
        var out = jobs.isEmpty ? "no jobs were run\n" : BatchReport(users: jobs).table()
        if let stopped { out += "\nthe worker stopped: \(stopped)\n" }
        return out
    }
}

/// The worker's counts across its slots.
final class WorkerState: Sendable {
    private struct State {
        var reports: [UserReport] = []
        var stopReason: String?
        var running = 0
        var index = 0
    }
    private let state = Mutex(State())

    var reports: [UserReport] { state.withLock { $0.reports } }
    var stopReason: String? { state.withLock { $0.stopReason } }
    var runningCount: Int { state.withLock { $0.running } }

    func running(_ change: Int) { state.withLock { $0.running += change } }
    func nextIndex() -> Int {
        state.withLock { s in
            defer { s.index += 1 }; return s.index
        }
    }
    func finished(_ report: UserReport) { state.withLock { $0.reports.append(report) } }
    func stop(_ reason: String) { state.withLock { if $0.stopReason == nil { $0.stopReason = reason } } }
}
