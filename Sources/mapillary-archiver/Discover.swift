import ArgumentParser
import Archiver
import Campaign
import Essentials
import Foundation
import InternetArchive
import Mapillary

struct Discover: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List who made the images of an area, with the number of images each, most first.",
        discussion: """
            The area (any size) is cut into tiles the Graph API accepts (under 0.01 square degrees: 0.099 degrees a side at most), and every tile is listed with GET /images?bbox=...&fields=id,creator, page by page. An area answer may stop at the API's cap without a next link, so a page that comes back full without one is asked again in smaller boxes, then in capture-time windows, until every piece answers in full; each image counts once. West greater than east crosses the antimeridian (179.5,10,-179.5,11 is two boxes). Progress is saved in a state file (by default in the cache folder, one per area and API): interrupt at any time and run the same command again to continue; the file is removed once the report is printed. Rate limits and server errors are retried with back-off, as in download. A creator whose username the tool would refuse (a control or formatting character, spaces at an end) is listed with those characters escaped and marked not usable.

            Examples:
              mapillary-archiver discover --bbox 13.2,52.4,13.7,52.9
              mapillary-archiver discover --bbox 13.2,52.4,13.7,52.9 --min-images 50 --json
              mapillary-archiver discover --bbox=-74.3,40.5,-73.7,40.9 --exclude-archived
              mapillary-archiver discover --bbox 13.2,52.4,13.7,52.9 --min-images 50 --enqueue
              mapillary-archiver discover --bbox 179.5,-17,-179.5,-16   # across the antimeridian
            """)

    @Option(
        help: ArgumentHelp(
            "The area, W,S,E,N in degrees, any size (west greater than east crosses the antimeridian). Write --bbox=W,S,E,N when W is negative.",
            valueName: "W,S,E,N"))
    var bbox: String

    @Option(help: ArgumentHelp("Mapillary access token (MLY|...). Env: MAPILLARY_TOKEN.", valueName: "token"))
    var token: String?

    @Flag(help: "Print JSON for scripts.")
    var json = false

    @Option(help: ArgumentHelp("Leave out creators with fewer images than this in the area.", valueName: "n"))
    var minImages = 1

    @Flag(
        help:
            "Leave out creators who have an item on the Internet Archive already (any quality, by this tool or by mapillary_downloader): one search of IA for all of them."
    )
    var excludeArchived = false

    @Flag(
        help:
            "Add the reported creators whose usernames the tool accepts to the campaign's work queue, most images first (as queue add does: one already there is left as it is)."
    )
    var enqueue = false

    @Option(help: ArgumentHelp("With --enqueue: the jobs' image size. Default: original.", valueName: "quality"))
    var quality: Choice<Quality>?

    @Flag(help: "With --enqueue: the jobs keep JPEGs instead of converting to WebP.")
    var noWebp = false

    @OptionGroup var queue: QueueOptions

    @Flag(help: "Go ahead with an area of more than 1,000 tiles.")
    var yes = false

    @Option(
        help: ArgumentHelp(
            "The state file. Default: CACHE/.discover/W,S,E,N-HASH.sqlite (one per area and API).", valueName: "file"))
    var state: String?

    @Option(
        help: ArgumentHelp(
            "The cache folder. Default: $XDG_CACHE_HOME/mapillary-archiver, else ~/.cache/mapillary-archiver.",
            valueName: "dir"))
    var cacheDir: String?

    @Option(
        help: ArgumentHelp(
            "Records asked per request, 25-2000 (the API's maximum and the cap of an area answer); a page this full without a next link is split.",
            valueName: "n"))
    var pageSize = MapillaryClient.maximumPageSize

    @Option(help: ArgumentHelp("Mapillary Graph API base. Env: MAPILLARY_API_URL.", valueName: "url"))
    var apiURL: String?

    @Option(help: ArgumentHelp("Internet Archive site for --exclude-archived. Env: IA_ARCHIVE_URL.", valueName: "url"))
    var archiveURL: String?

    @OptionGroup var logging: OutputOptions

    func validate() throws {
        let area = try discoveryArea()
        guard minImages >= 0 else { throw ValidationError("--min-images must be 0 or more") }
        guard (MapillaryClient.minimumPageSize...MapillaryClient.maximumPageSize).contains(pageSize) else {
            throw ValidationError("--page-size must be between 25 and 2000")
        }
        if area.tileCount > DiscoveryArea.confirmationTileCount && !yes {
            throw ValidationError(
                "the area \(area) covers \(ByteFormat.grouped(Int(area.area.rounded()))) square degrees: \(ByteFormat.grouped(area.tileCount)) tiles, so at least \(ByteFormat.grouped(area.tileCount)) requests to Mapillary (more where images are dense); add --yes to go ahead, or give a smaller area"
            )
        }
        guard enqueue || (queue.queue == nil && quality == nil && !noWebp) else {
            throw ValidationError("--queue, --quality and --no-webp go with --enqueue; add it, or leave them out")
        }
        _ = try quality?.value(of: "--quality")
    }

    /// `--bbox` read as an area; a usage error naming what is wrong with it.
    func discoveryArea() throws -> DiscoveryArea {
        do { return try DiscoveryArea(parsing: bbox) } catch { throw ValidationError("\(error)") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let area = try discoveryArea()
        guard let token = token ?? environment["MAPILLARY_TOKEN"], !token.isEmpty else {
            throw ValidationError(
                "no Mapillary token: give --token or set MAPILLARY_TOKEN (get one at https://www.mapillary.com/dashboard/developers)"
            )
        }
        let apiBase = apiURL ?? environment["MAPILLARY_API_URL"] ?? MapillaryClient.defaultAPIBase
        do { try MapillaryClient.validate(apiBase: apiBase) } catch { throw ValidationError("\(error)") }
        let jobQuality = try (quality ?? Choice(.original)).value(of: "--quality").rawValue
        var location: QueueLocation?
        if enqueue {
            // Opened once now, so a queue that cannot be used stops the command before the survey.
            location = try QueueLocation.resolve(queue.queue, environment: environment)
            try queue.open(create: true).close()
        }
        let cache = cacheDir ?? DownloadOptions.defaultCacheDirectory()
        let options = DiscoveryOptions(
            area: area, token: token, apiURL: apiBase,
            statePath: state ?? DiscoveryOptions.defaultStatePath(cacheDirectory: cache, area: area, apiURL: apiBase),
            pageSize: pageSize)
        let iaEndpoints: IAEndpoints? =
            excludeArchived
            ? {
                let fromEnvironment = IAEndpoints.from(environment: environment)
                return IAEndpoints(s3: fromEnvironment.s3, archive: archiveURL ?? fromEnvironment.archive)
            }() : nil

        let env = logging.environment()
        defer { env.shutdown() }
        // Printed, then queued, before the state goes: a failure here leaves the discovery for the next run.
        let deliver: @Sendable (DiscoveryReport) throws -> Void = { [json, noWebp, location] report in
            env.console.clearAllStatus()
            print(json ? report.json() : report.table(), terminator: "")
            fflush(nil)
            guard let location else { return }
            try Self.enqueue(report.usableUsernames, quality: jobQuality, webp: !noWebp, at: location, json: json)
        }
        let outcome = await CommandSupport.withInterruptHandling {
            [minImages] () -> Result<DiscoveryReport, ArchiverError> in
            do {
                return .success(
                    try await AreaDiscovery(options: options, env: env)
                        .report(minImages: minImages, excludeArchivedAt: iaEndpoints, deliver: deliver))
            } catch {
                return .failure(error as? ArchiverError ?? ArchiverError(.io, "\(error)"))
            }
        }
        env.console.clearAllStatus()
        let report = try outcome.get()
        if !report.result.incomplete.isEmpty { throw ExitCode(1) }
    }

    /// `--enqueue`: one `add` of every username the tool accepts (`MapillaryUsername`); one line says what happened (on
    /// standard error with `--json`, so standard output stays JSON).
    static func enqueue(
        _ usernames: [String], quality: String, webp: Bool, at location: QueueLocation, json: Bool
    ) throws {
        var lines: [String] = []
        var accepted: [String] = []
        for name in usernames {
            if let problem = MapillaryUsername.problem(name) {
                lines.append("not queued: " + problem)
            } else {
                accepted.append(name)
            }
        }
        let jobs = try JobQueue(location, create: true)
        defer { jobs.close() }
        let outcomes = try jobs.add(accepted.map { JobSpec(username: $0, quality: quality, webp: webp) })
        let added = outcomes.filter { $0 == .added }.count
        let requeued = outcomes.filter { if case .requeued = $0 { true } else { false } }.count
        lines.append(
            "Queued in \(jobs.displayName) (\(quality)\(webp ? ", webp" : ", jpeg")): \(added) added, \(requeued) queued again, "
                + "\(outcomes.count - added - requeued) already in the queue.")
        let text = lines.joined(separator: "\n") + "\n"
        if json { FileHandle.standardError.write(Data(text.utf8)) } else { print(text, terminator: "") }
    }
}
