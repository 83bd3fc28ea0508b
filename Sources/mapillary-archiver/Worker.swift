import ArgumentParser
import Archiver
import Campaign
import Foundation
import Mapillary

/// `worker`: archives the contributors of a campaign's queue (docs/campaigns.md).
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Archive the contributors queued in a campaign: claim jobs, download, publish, upload, record.",
        discussion: """
            Claims jobs from the queue (queue add, discover --enqueue) and runs each as download would (its user, quality and format come from the job), up to --jobs at once on one transfer budget; with --upload each published item is uploaded and checked against IA's MD5s. Each job is held under a lease (--lease) renewed while it runs; before publishing, before every write to IA and before marking the job done the worker checks that it still holds the lease, and stops the job quietly when another worker took it over (after this one was paused or cut off past its lease). Several workers, on one machine (a SQLite queue file) or many (PostgreSQL), share the work; a dead worker's job is taken up by another once its lease runs out.
            A failure that may pass (network, server errors, images not downloaded yet) sends the job back to the queue with a growing wait, up to --max-attempts; one that would repeat (an unknown user, an identifier IA refuses) fails it at once. A rejected token, rejected IA keys or a full disk stop the worker and give its jobs back. Ctrl-C or SIGTERM: work in progress is saved, the jobs go back to the queue at once, and the summary is printed.
              mapillary-archiver worker --upload --until-empty
              mapillary-archiver worker --queue postgres://archiver@db.example.org/campaign --jobs 8 --upload --name node-3
              mapillary-archiver worker --upload --delete-after-upload --report worker.jsonl
            Exit status: 0 when every job this worker ran ended well (or none ran); 1 when a job failed or the worker stopped early; 2 usage error.
            """)

    @OptionGroup var queue: QueueOptions

    @Option(
        help: ArgumentHelp(
            "Jobs run at once; they share the transfers of --concurrency. Default: \(DownloadOptions.defaultJobs).",
            valueName: "n"))
    var jobs = DownloadOptions.defaultJobs

    @Option(
        help: ArgumentHelp(
            "How long a claimed job stays this worker's without a heartbeat (renewed every third of it). Default: 120.",
            valueName: "seconds"))
    var lease = 120

    @Option(
        help: ArgumentHelp(
            "Attempts of one job before a failure that may pass fails it for good. Default: 5.", valueName: "n"))
    var maxAttempts = 5

    @Flag(help: "Upload each finished item to the Internet Archive and verify it.")
    var upload = false

    @Flag(
        help:
            "With --upload: remove an item's files once IA lists every one with its MD5 (the download state, .meta and the thumbnail stay, so a later run fetches only new images)."
    )
    var deleteAfterUpload = false

    @Flag(
        help:
            "Stop once no job is pending and none runs under a live lease (a dead worker's job is waited for and taken)."
    )
    var untilEmpty = false

    @Option(
        help: ArgumentHelp(
            "How this worker is named in the queue (queue status shows it). Default: HOST-PID.", valueName: "name"))
    var name: String?

    @OptionGroup var archiving: ArchivingOptions

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 64") }
        guard (2...86_400).contains(lease) else { throw ValidationError("--lease must be between 2 and 86400 seconds") }
        guard (1...100).contains(maxAttempts) else { throw ValidationError("--max-attempts must be between 1 and 100") }
        if deleteAfterUpload && !upload {
            throw ValidationError("--delete-after-upload removes items once IA holds them, so it needs --upload")
        }
        if let name,
            name.isEmpty || name.count > 100
                || name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        {
            throw ValidationError("--name must be 1 to 100 characters of plain text")
        }
    }

    func run() async throws {
        // The job decides user, quality and format; these are placeholders the worker replaces.
        let options = try archiving.downloadOptions(
            users: [], quality: .original, webp: true, upload: upload, jobs: jobs)
        var policy = QueuePolicy()
        policy.lease = .seconds(lease)
        policy.maxAttempts = maxAttempts
        let jobQueue: JobQueue
        do {
            jobQueue = try JobQueue(
                QueueLocation.resolve(queue.queue, environment: ProcessInfo.processInfo.environment),
                policy: policy, create: true)
        } catch let error as CampaignError where error.code == .usage {
            throw ValidationError(error.description)
        }
        defer { jobQueue.close() }
        let host = WorkerSettings.hostName()
        var chosen = WorkerSettings(name: name ?? "\(host)-\(getpid())", host: host, jobs: jobs)
        chosen.untilEmpty = untilEmpty
        chosen.deleteAfterUpload = deleteAfterUpload
        let settings = chosen

        let env = archiving.logging.environment()
        defer { env.shutdown() }
        let log = try archiving.report.map { try ReportLog(path: $0, logger: env.logger) }
        let report = await CommandSupport.withInterruptHandling {
            await CampaignWorker(options: options, settings: settings, queue: jobQueue, env: env, log: log).run()
        }
        env.console.clearAllStatus()
        print(env.console.masked(report.table()), terminator: "")
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
