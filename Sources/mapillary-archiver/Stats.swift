import ArgumentParser
import Archiver
import Campaign
import Essentials
import Foundation
import InternetArchive

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count the Mapillary items on the Internet Archive made by this tool and by mapillary_downloader.",
        discussion: """
            Searches IA (scrape API, q=mapillary_archiver:* OR mapillary_downloader:*) and prints items, images (from the descriptions' "Contains N images"), unique images (per contributor, the largest count of their items at any quality) and their share of Mapillary's total, bytes and contributors: in total, per collection and per quality, items made by each tool apart; then the items outside the mapillary-images collection by uploader. With --queue, a campaign queue's jobs per state and what its done jobs archived are shown beside IA's totals. Results are cached for an hour in CACHE/.stats.json; --refresh asks IA again, and the cache is shown when IA cannot be reached.

            Examples:
              mapillary-archiver stats
              mapillary-archiver stats --refresh --json > stats.json
              mapillary-archiver stats --mapillary-total 2500000000
              mapillary-archiver stats --queue postgres://archiver@db.example.org/campaign
            """)

    @Flag(help: "Print JSON for scripts (the shape docs/user-guide.md describes).")
    var json = false

    @Flag(help: "Ask IA again even when the cached result is less than an hour old.")
    var refresh = false

    @Option(
        help: ArgumentHelp(
            "Mapillary's total image count, for the share (default: 2,000,000,000, mapillary_downloader 0.12.0's figure).",
            valueName: "n"))
    var mapillaryTotal: Int64?

    @Option(
        help: ArgumentHelp(
            "Also show this campaign queue's progress beside IA's totals: a SQLite file or postgres://USER@HOST/DATABASE.",
            valueName: "path|url"))
    var queue: String?

    @Option(
        help: ArgumentHelp(
            "The cache folder. Default: $XDG_CACHE_HOME/mapillary-archiver, else ~/.cache/mapillary-archiver.",
            valueName: "dir"))
    var cacheDir: String?

    @OptionGroup var endpoints: ArchiveEndpointOptions
    @OptionGroup var logging: OutputOptions

    func validate() throws {
        if let mapillaryTotal, mapillaryTotal <= 0 {
            throw ValidationError("--mapillary-total must be a positive number of images")
        }
        if let queue {
            do { _ = try QueueLocation(parsing: queue, environment: ProcessInfo.processInfo.environment) } catch {
                throw ValidationError("\(error)")
            }
        }
    }

    func run() async throws {
        let env = logging.environment()
        defer { env.shutdown() }
        let environment = ProcessInfo.processInfo.environment
        let archive = try CommandSupport.endpoints(endpoints, environment: environment)
        var campaign: CampaignProgress?
        if let queue {
            let location = try QueueLocation(parsing: queue, environment: environment)
            campaign = try await CampaignProgress.read {
                let jobs = try JobQueue(location, create: false)
                defer { jobs.close() }
                let counts = try jobs.status(failures: 0).counts
                let done = try jobs.doneTotals()
                return CampaignProgress(
                    queue: jobs.displayName, pending: counts.pending, waiting: counts.waiting,
                    running: counts.running, done: counts.done, failed: counts.failed,
                    doneImages: done.images, doneBytes: done.bytes, uploaded: done.uploaded,
                    verified: done.verified)
            }
        }
        let cache = (cacheDir ?? DownloadOptions.defaultCacheDirectory()) + "/.stats.json"
        let collector = StatsCollector(
            http: env.http,
            endpoints: archive,
            cachePath: cache, logger: env.hub.logger("stats"))
        let snapshot: StatsCollector.Snapshot
        do {
            snapshot = try await collector.collect(refresh: refresh)
        } catch {
            throw ArchiverError(.io, "\(error)")
        }
        let report = StatsReport(
            items: snapshot.items, fetchedAt: snapshot.fetchedAt, fromCache: snapshot.fromCache,
            mapillaryTotal: mapillaryTotal.map(MapillaryTotal.given) ?? .documented,
            campaignQueue: campaign)
        print(json ? report.json() : report.table(cachePath: cache))
    }
}
