import ArgumentParser
import Archiver
import Essentials
import Foundation
import InternetArchive

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count the Mapillary items on the Internet Archive made by this tool and by mapillary_downloader.",
        discussion: """
            Searches IA (scrape API, q=mapillary_archiver:* OR mapillary_downloader:*) and prints, per collection and in total: items, images (from the item descriptions), bytes and the users covered. Results are cached for an hour in the cache folder; --refresh asks IA again.
            """)

    @Flag(help: "Print JSON for scripts.")
    var json = false

    @Flag(help: "Ignore the cached result.")
    var refresh = false

    @Option(help: ArgumentHelp("The cache folder. Default: $XDG_CACHE_HOME/mapillary-archiver, else ~/.cache/mapillary-archiver.", valueName: "dir"))
    var cacheDir: String?

    @OptionGroup var endpoints: ArchiveEndpointOptions
    @OptionGroup var logging: OutputOptions

    func run() async throws {
        let env = logging.environment()
        defer { env.shutdown() }
        let cache = (cacheDir ?? DownloadOptions.defaultCacheDirectory()) + "/.stats.json"
        try? FileManager.default.createDirectory(atPath: DurableFile.parentDirectory(of: cache), withIntermediateDirectories: true)
        let collector = StatsCollector(http: env.http,
                                       endpoints: try CommandSupport.endpoints(endpoints, environment: ProcessInfo.processInfo.environment),
                                       cachePath: cache, logger: env.hub.logger("stats"))
        do {
            let report = try await collector.collect(refresh: refresh)
            print(json ? report.json() : report.table())
        } catch {
            throw ArchiverError(.io, "\(error)")
        }
    }
}
