import Essentials
import Foundation
import HTTPClientKit
import InternetArchive
import Mapillary
import Packaging

/// Everything `download` needs, as the command line gave it.
public struct DownloadOptions: Sendable {
    public var usernames: [String]
    public var token: String
    public var outputDirectory: String
    public var cacheDirectory: String
    public var quality: Quality
    public var bbox: BoundingBox?
    public var webp: Bool
    public var webpQuality: Float
    /// Transfers in flight; nil lets the downloader tune it (starting at 16) while throughput grows.
    public var concurrency: Int?
    /// `--max-workers`: the most transfers the tuner may reach (without ``concurrency``); nil = 256.
    public var maxConcurrency: Int?
    /// Users archived at once (they share the transfers of ``concurrency``); nil picks ``defaultJobs``.
    public var jobs: Int?
    public var tar: Bool
    /// Ask IA whether the item exists before listing (`--no-check-ia` turns it off). An item this tool finished
    /// there and that is missing from the output folder is the start of a later run (only new images are fetched,
    /// into addendum tars); any other item there is skipped.
    public var checkIA: Bool
    /// `--skip-existing`: a user whose item exists in the output folder or on IA is skipped without being listed.
    public var skipExisting = false
    /// A campaign job's later attempt: an item on IA without `metadata.jsonl.gz` may be this job's own upload cut
    /// short, so the user is archived in full instead of skipped.
    public var unfinishedItemOnIAIsOurs = false
    public var upload: Bool
    public var apiURL: String
    public var endpoints: IAEndpoints
    public var templateDirectory: String?
    public var metaOverrides: [MetaOverride]
    public var uploadOptions: UploadOptions
    public var credentials: IACredentials?
    /// Back-off between retries of Mapillary API and CDN requests (tests shorten it).
    public var retry: RetryPolicy
    /// A user in whose pipeline nothing moves for this long (no listing page recorded, no image byte received, no
    /// image finished) is given up for this run (`--no-progress-timeout`).
    public var noProgressTimeout: Duration = .seconds(600)
    /// Image transfers slower than this are cut and retried (`--speed-limit`, `--speed-time`); nil = no floor.
    public var speedFloor: TransferSpeedFloor? = DownloadOptions.defaultSpeedFloor
    /// Longest time one image may take over all its attempts before it counts as failed for this run.
    public var imageTimeLimit: Duration = .seconds(600)

    /// 1 KiB/s over 30 s: a CDN that slow has stopped serving the image.
    public static let defaultSpeedFloor = TransferSpeedFloor(bytesPerSecond: 1024, window: .seconds(30))

    public init(
        usernames: [String], token: String, outputDirectory: String = "./mapillary_data",
        cacheDirectory: String = DownloadOptions.defaultCacheDirectory(), quality: Quality = .original,
        bbox: BoundingBox? = nil, webp: Bool = true, webpQuality: Float = 75, concurrency: Int? = nil,
        maxConcurrency: Int? = nil, jobs: Int? = nil,
        tar: Bool = true, checkIA: Bool = true, upload: Bool = false,
        apiURL: String = MapillaryClient.defaultAPIBase, endpoints: IAEndpoints = IAEndpoints(),
        templateDirectory: String? = nil, metaOverrides: [MetaOverride] = [],
        uploadOptions: UploadOptions = UploadOptions(), credentials: IACredentials? = nil,
        retry: RetryPolicy = .standard
    ) {
        self.usernames = usernames
        self.token = token
        self.outputDirectory = outputDirectory
        self.cacheDirectory = cacheDirectory
        self.quality = quality
        self.bbox = bbox
        self.webp = webp
        self.webpQuality = webpQuality
        self.concurrency = concurrency
        self.maxConcurrency = maxConcurrency
        self.jobs = jobs
        self.tar = tar
        self.checkIA = checkIA
        self.upload = upload
        self.apiURL = apiURL
        self.endpoints = endpoints
        self.templateDirectory = templateDirectory
        self.metaOverrides = metaOverrides
        self.uploadOptions = uploadOptions
        self.credentials = credentials
        self.retry = retry
    }

    /// Checks, before any work starts, everything a run would otherwise find wrong only later: every username
    /// (``MapillaryUsername``), the token, the templates in effect, the upload options (with `upload`), and that
    /// the output and cache folders can be written. Throws ``ArchiverError`` `.usage` with one sentence.
    /// The command line calls it first; ``DownloadBatch`` calls it again, so a library caller gets the same checks.
    public func validate() throws {
        func usage(_ sentence: String) -> ArchiverError { ArchiverError(.usage, sentence) }
        for user in usernames {
            if let problem = MapillaryUsername.problem(user) { throw usage(problem) }
        }
        do {
            try MapillaryClient.validate(token: token)
            try MapillaryClient.validate(apiBase: apiURL)
            try endpoints.validate()
            _ = try ItemTemplates.resolve(templateDirectory: templateDirectory)
            if upload { try uploadOptions.validate() }
        } catch {
            throw usage("\(error)")
        }
        for (folder, option) in [(outputDirectory, "--output"), (cacheDirectory, "--cache-dir")] {
            do {
                try DurableFile.checkWritable(folder: folder)
            } catch {
                throw usage("\(option) \(folder) cannot be written (\(error)); give a folder you can write to")
            }
        }
    }

    /// `$XDG_CACHE_HOME/mapillary-archiver`, else `~/.cache/mapillary-archiver`.
    public static func defaultCacheDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/mapillary-archiver" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.cache/mapillary-archiver"
    }

    /// Users archived at once when `--jobs` is not given. Most contributors have a few dozen images, and a small
    /// user's run is mostly waiting (an IA check, one listing page, a few downloads, a publish), so one user at a
    /// time leaves the network idle; 8 keep it busy while 8 state databases, disk threads and log files stay cheap.
    /// The users share one transfer budget, so more jobs never means more connections than `--concurrency`.
    public static let defaultJobs = 8

    /// Users run at once for this batch: `--jobs`, else ``defaultJobs``, never more than there are users.
    public var effectiveJobs: Int { max(1, min(jobs ?? Self.defaultJobs, usernames.count)) }

    /// The IA identifier (and item folder name) for `user` with these options.
    public func identifier(for user: String) -> String {
        IdentifierRule.mapillaryIdentifier(user: user, quality: quality.rawValue, webp: webp)
    }
}
