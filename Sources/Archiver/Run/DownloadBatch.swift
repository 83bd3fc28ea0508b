import Essentials
import Foundation
import InternetArchive
import Logging
import Synchronization

/// `download` over many users: up to ``DownloadOptions/effectiveJobs`` users at once, sharing one transfer budget;
/// a failed user does not stop the others.
public struct DownloadBatch: Sendable {
    public let options: DownloadOptions
    public let env: RunEnvironment
    /// `--report`: one line per user, written as each user ends.
    public let log: ReportLog?

    public init(options: DownloadOptions, env: RunEnvironment, log: ReportLog? = nil) {
        self.options = options
        self.env = env
        self.log = log
    }

    /// Runs every user and returns their reports, in the order the users were given. A batch-stopping error
    /// (rejected token, full disk) ends the batch early: users still running are interrupted (their work so far is
    /// saved) and the users not reached are reported as not started.
    public func run() async -> BatchReport {
        // A user given twice would run twice at once, on one staging folder: once is what was meant.
        var seen = Set<String>()
        let users = options.usernames.filter { seen.insert($0).inserted }
        if users.count < options.usernames.count {
            env.logger.notice(
                "\(options.usernames.count - users.count) usernames were given more than once; each user is archived once"
            )
        }
        let jobs = options.effectiveJobs
        let budget = TransferBudget(
            fixed: options.concurrency, ceiling: options.maxConcurrency, jobs: jobs, cpu: env.cpu, logger: env.logger)
        let progress = BatchProgress(users: users.count)
        let totals = users.count > 1 ? Task { await showTotals(progress, budget: budget) } : nil
        defer {
            totals?.cancel()
            env.console.status(BatchProgress.statusKey, nil)
        }

        var reports = [UserReport?](repeating: nil, count: users.count)
        var stopped: String?
        // From here on no console line, log file or summary shows the token or the IA secret, in any form.
        env.console.hide(SecretMask([options.token], marker: "‹token›"))
        if let credentials = options.credentials { env.console.hide(credentials.mask) }
        do {
            try options.validate()
        } catch {
            env.logger.error("\(error)")
            stopped = "\(error)"
        }
        await withTaskGroup(of: (Int, UserReport).self) { group in
            var next = 0
            func startNext() {
                let index = next
                next += 1
                let user = users[index]
                if users.count > 1 {
                    env.logger.info("user \(index + 1)/\(users.count): \(user)")
                }
                let job = UserJob(user: user, options: options, env: env, budget: budget)
                progress.started(index, job.counters)
                group.addTask {
                    let report = await job.run()
                    log?.append(report)
                    return (index, report)
                }
            }
            while stopped == nil && next < min(jobs, users.count) { startNext() }
            while let (index, report) = await group.next() {
                reports[index] = report
                progress.finished(index, report)
                if let stop = report.stopsBatch, stopped == nil {
                    env.logger.error("\(report.user): \(stop)")
                    stopped = stop.description
                    group.cancelAll()
                }
                if stopped == nil && !Task.isCancelled && next < users.count { startNext() }
            }
        }
        let notStarted = "not started: " + (stopped ?? "interrupted")
        return BatchReport(
            users: reports.enumerated().map { index, report in
                guard var report else {
                    let report = UserReport(
                        user: users[index], identifier: options.identifier(for: users[index]),
                        outcome: .failed(reason: notStarted))
                    log?.append(report)
                    return report
                }
                // A user interrupted because another one stopped the batch says why.
                if let stopped, report.stopsBatch == nil, case .incomplete = report.outcome {
                    report.outcome = .incomplete(
                        reason: "stopped because of another user: \(stopped); run the same command again to continue")
                }
                return report
            })
    }

    /// Redraws the batch's totals line until cancelled.
    private func showTotals(_ progress: BatchProgress, budget: TransferBudget) async {
        while !Task.isCancelled {
            env.console.status(
                BatchProgress.statusKey,
                progress.line(
                    transfers: budget.netSlots.limit,
                    paused: env.mapillaryGate.isPaused))
            try? await Task.sleep(for: .milliseconds(250))
        }
    }
}
