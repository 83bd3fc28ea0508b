import Essentials
import Foundation
import HTTPClientKit
import Imaging
import InternetArchive
import Logging
import Mapillary
import Packaging
import SQLiteStore

/// One user of a `download` batch: list, fetch, transform and package into the staging folder, then
/// publish the item into the output folder (and upload it with `--upload`).
///
/// The staging folder is `{cache}/{identifier}` and holds `.mapillary-archiver/state.sqlite`; it becomes
/// the item by one rename. Running the same command again after any interruption continues where the
/// last committed batch ended.
struct UserDownload: Sendable {
    let user: String
    let options: DownloadOptions
    let env: RunEnvironment
    /// Transfer and encoder places shared with the other users of the batch.
    let budget: TransferBudget
    let client: MapillaryClient
    let transcoder: ImageTranscoder
    /// Records tagged with this user: they go to this user's run log only, never to another user's.
    let logger: Logger
    /// This user's live numbers (the batch's totals line and a worker's heartbeats read them too).
    let counters: RunCounters
    /// Asked right before publishing: false stops the user with `leaseLost` (a campaign worker whose lease on the
    /// job ran out must not publish). Nil for `download`.
    var fence: (@Sendable () async -> Bool)?

    var identifier: String { options.identifier(for: user) }
    var staging: String { options.cacheDirectory + "/" + identifier }
    var finalPath: String { options.outputDirectory + "/" + identifier }
    var privateFolder: String { staging + "/.mapillary-archiver" }

    init(
        user: String, options: DownloadOptions, env: RunEnvironment, budget: TransferBudget,
        counters: RunCounters = RunCounters()
    ) {
        self.user = user
        self.counters = counters
        self.options = options
        self.env = env
        self.budget = budget
        logger = env.hub.logger("mapillary-archiver", job: user)
        var client = MapillaryClient(
            http: env.http, apiBase: options.apiURL, token: options.token, retry: options.retry,
            gate: env.mapillaryGate, logger: env.hub.logger("mapillary", job: user))
        client.downloadSpeedFloor = options.speedFloor
        client.imageTimeLimit = options.imageTimeLimit
        self.client = client
        transcoder = ImageTranscoder(format: options.webp ? .webp : .jpeg, webpQuality: options.webpQuality)
    }

    /// Runs the user to the end. Errors end up in the report with the counts reached so far; an error that must
    /// stop the whole batch is also set as ``UserReport/stopsBatch``.
    func run() async -> UserReport {
        let started = Date()
        var report = UserReport(user: user, identifier: identifier, outcome: .failed(reason: "not started"))
        defer { env.console.status(user, nil) }
        do {
            try await runStages(&report)
        } catch {
            let stop: ArchiverError?
            switch error {
            case let error as ArchiverError where error.stopsBatch: stop = error
            case let error as FileError where error.isDiskFull: stop = ArchiverError(.diskFull, error.description)
            case let error as SQLiteError where error.isDiskFull: stop = ArchiverError(.diskFull, error.description)
            // Tar appends fail this way: every later user would fail the same, so the batch stops too.
            case let error as PackagingError where error.isDiskFull: stop = ArchiverError(.diskFull, error.description)
            case let error as MapillaryError where error.code == .tokenRejected:
                stop = ArchiverError(.tokenRejected, error.description)
            default: stop = nil
            }
            if let stop {
                report.stopsBatch = stop
                report.outcome = .failed(reason: stop.description)
            } else if let error = error as? ArchiverError, error.code == .leaseLost {
                logger.notice("\(user): \(error)")
                report.leaseLost = true
                report.outcome = .incomplete(reason: error.description)
            } else if error is CancellationError {
                logger.notice("\(user): interrupted; work so far is saved, run the same command again to continue")
                report.outcome = .incomplete(reason: "interrupted; run the same command again to continue")
            } else {
                logger.error("\(user): \(error)")
                report.outcome = .failed(reason: "\(error)")
                report.permanent = Self.isPermanent(error)
            }
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// Failures that another attempt would meet again, whatever the network does meanwhile.
    static func isPermanent(_ error: any Error) -> Bool {
        switch error {
        case let error as MapillaryError: return error.code == .requestRefused || error.code == .foreignURL
        case let error as ArchiverError: return error.code == .stagingMismatch || error.code == .usage
        default: return false
        }
    }

    private func runStages(_ report: inout UserReport) async throws {
        let fm = FileManager.default
        restoreMovedAsideItem()
        let update = fm.fileExists(atPath: finalPath)
        if update && !fm.fileExists(atPath: finalPath + "/.mapillary-archiver/state.sqlite") {
            logger.notice(
                "\(user): \(finalPath) already exists and was not made by `mapillary-archiver download`; skipping (move it away to download again)"
            )
            report.outcome = .skippedExisting(path: finalPath)
            return
        }
        if update && options.skipExisting {
            logger.notice("\(user): \(finalPath) exists; skipping (--skip-existing)")
            report.outcome = .skippedExisting(path: finalPath)
            return
        }
        var fromInternetArchive: RemoteItem?
        if options.checkIA && !update {
            switch await lookUpOnInternetArchive() {
            case .absent:
                break
            case .finished where options.skipExisting, .other where options.skipExisting:
                logger.notice(
                    "\(user): \(identifier) is already on the Internet Archive (\(detailsURL)); skipping (--skip-existing)"
                )
                report.outcome = .skippedOnIA(identifier: identifier)
                return
            case .finished(let item):
                // A staging folder begun before the item reached IA (another machine uploaded it meanwhile) is
                // left alone: its images are not known to be the ones on IA.
                if FileManager.default.fileExists(atPath: privateFolder + "/state.sqlite")
                    && !stagingStartedFromInternetArchive()
                {
                    logger.notice(
                        "\(user): \(identifier) is already on the Internet Archive (\(detailsURL)) and \(staging) holds an unfinished download begun without it; skipping (use --no-check-ia to finish that download)"
                    )
                    report.outcome = .skippedOnIA(identifier: identifier)
                    return
                }
                fromInternetArchive = item
            case .other where options.unfinishedItemOnIAIsOurs:
                break
            case .other(_, let reason):
                logger.notice(
                    "\(user): \(identifier) is already on the Internet Archive (\(detailsURL)), \(reason); skipping (use --no-check-ia to download anyway)"
                )
                report.outcome = .skippedOnIA(identifier: identifier)
                return
            }
        }

        try DurableFile.makeDirectories(privateFolder)
        let lock = try StagingLock(folder: staging)
        defer { lock.release() }

        let logName = "download.log." + Self.logTimestamp()
        try env.hub.openFile(key: user, path: staging + "/" + logName)
        defer { env.hub.closeFile(key: user) }
        logger.info("\(user): archiving into \(identifier) (staging \(staging))")

        if update { try seedUpdate() }
        if let fromInternetArchive { try await seedFromInternetArchive(fromInternetArchive) }
        let database = try SQLiteDatabase(path: privateFolder + "/state.sqlite")
        defer { database.close() }
        let state = try DownloadState(database: database)
        try checkSettings(state)
        try state.retryFailed()

        let before = try state.counts()
        counters.listed.store(before.listed, ordering: .relaxed)
        counters.alreadyDone.store(before.done, ordering: .relaxed)
        counters.unavailable.store(before.unavailable, ordering: .relaxed)
        let startedFromIA = try state.value("from_internet_archive") == "1"
        let publishedBefore = try state.value("published_done").flatMap(Int.init) ?? 0
        // A run from IA's copy starts with IA's images done: "resuming" only once it has done some of its own.
        if before.done > (startedFromIA ? publishedBefore : 0) {
            logger.info(
                "\(user): resuming: \(before.done) images already archived, \(before.pending + before.failed) to go so far"
            )
        }

        func fillCounts(_ after: DownloadState.Counts) throws {
            report.downloaded = counters.done.load(ordering: .relaxed)
            report.alreadyDone = before.done
            // Images not reached (an interrupt, a stop) are not failures: the next run takes them up.
            report.failed = after.failed
            report.unavailable = after.unavailable
            report.refused = counters.refused.load(ordering: .relaxed)
            report.bytes = after.doneBytes
            report.failureReasons = try state.failureReasons().map { ($0.reason, $0.count) }
        }
        do {
            try await runPipeline(state: state, counters: counters)
        } catch {
            // The summary still shows what this run saved before it stopped.
            if let counts = try? state.counts() { try? fillCounts(counts) }
            throw error
        }
        let after = try state.counts()
        try fillCounts(after)

        if after.listed == 0 {
            logger.warning(
                "\(user): Mapillary lists no images for this user (check the spelling); nothing was published")
            report.outcome = .noImages
            return
        }
        if after.failed + after.pending > 0 {
            let reason =
                "\(after.failed + after.pending) images could not be downloaded yet; run the same command again to retry them"
            logger.error("\(user): \(reason)")
            report.outcome = .incomplete(reason: reason)
            return
        }
        if after.done == 0 {
            logger.warning(
                "\(user): none of the \(after.listed) listed images could be archived; nothing was published")
            report.outcome = .noImages
            return
        }
        if update || startedFromIA, let published = try state.value("published_done").flatMap(Int.init),
            after.done == published
        {
            try? FileManager.default.removeItem(atPath: staging)
            if update {
                logger.info("\(user): no new images since \(finalPath) was made; it is up to date")
                report.outcome = .upToDate(path: finalPath)
            } else {
                logger.info(
                    "\(user): no new images since \(identifier) was archived; the Internet Archive's copy is up to date (\(detailsURL))"
                )
                report.outcome = .upToDateOnIA(identifier: identifier)
            }
            return
        }

        counters.stage = "packaging"
        let packaging = Date()
        defer { report.packageSeconds = Date().timeIntervalSince(packaging) }
        let path = try await finalize(state: state, counts: after, update: update)
        report.outcome = .published(path: path)
        logger.info("\(user): published \(path) (\(after.done) images, \(ByteFormat.size(after.doneBytes)))")
    }

    /// The options that shape the staging folder must not change between runs of the same item.
    private func checkSettings(_ state: DownloadState) throws {
        let wanted: [(String, String)] = [
            ("user", user), ("quality", options.quality.rawValue),
            ("webp", options.webp ? "1" : "0"), ("tar", options.tar ? "1" : "0"),
        ]
        for (key, value) in wanted {
            if let stored = try state.value(key), stored != value {
                let flag = key == "tar" ? "--no-tar" : key
                throw ArchiverError(
                    .stagingMismatch,
                    "the staging folder \(staging) was started with a different \(flag) setting; run again with the same options or remove that folder to start over"
                )
            }
        }
        for (key, value) in wanted { try state.setValue(key, value) }
    }

    /// `YYYYMMDD-HHMMSS` in UTC, for `download.log.{timestamp}`.
    static func logTimestamp(_ date: Date = Date()) -> String {
        UTCCalendar.compactTimestamp(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
