import ArgumentParser
import Archiver
import Foundation
import InternetArchive
import Mapillary
import Packaging

/// What `download` and `worker` share: where items go, how images are fetched and written, IA's endpoints and keys,
/// upload tuning, the waits, the report and the console.
struct ArchivingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Mapillary access token (MLY|...). Env: MAPILLARY_TOKEN.", valueName: "token"))
    var token: String?

    @Option(help: ArgumentHelp("Where finished items appear.", valueName: "dir"))
    var output = "./mapillary_data"

    @Option(help: ArgumentHelp("WebP quality, 0-100 (cwebp's default is 75).", valueName: "q"))
    var webpQuality: Float = 75

    @Option(
        help: ArgumentHelp(
            "Transfers in flight, fixed. Default: tuned automatically, starting at 16, raised while throughput grows.",
            valueName: "n"))
    var concurrency: Int?

    @Option(
        help: ArgumentHelp(
            "The most transfers in flight the tuning may reach (as the Python tool's --max-workers). Default: 256.",
            valueName: "n"))
    var maxWorkers: Int?

    @Option(
        help: ArgumentHelp(
            "Append one JSON line per user to this file as each user ends (fsynced; see the user guide, \"Reports\").",
            valueName: "file.jsonl"))
    var report: String?

    @Flag(help: "Write loose files DATE/SEQUENCE/ID.ext instead of per-date tars.")
    var noTar = false

    @Flag(help: "Do not ask the Internet Archive whether the item already exists (a user is then archived in full).")
    var noCheckIa = false

    @Flag(
        help:
            "Skip a user whose item exists in --output or on the Internet Archive, without listing their images (a cheap nightly run that only adds new users). Without it, such a user is listed again and only new images are fetched."
    )
    var skipExisting = false

    @Option(help: ArgumentHelp("Mapillary Graph API base. Env: MAPILLARY_API_URL.", valueName: "url"))
    var apiURL: String?

    @Option(
        help: ArgumentHelp(
            "Folder for work in progress. Default: $XDG_CACHE_HOME/mapillary-archiver, else ~/.cache/mapillary-archiver.",
            valueName: "dir"))
    var cacheDir: String?

    @Option(
        help: ArgumentHelp(
            "Folder of item metadata templates (rip .meta layout), instead of the default ones (docs/templates.md).",
            valueName: "dir"))
    var templateDir: String?

    @Option(help: ArgumentHelp("Set an item metadata key (repeat a key to make a list).", valueName: "key=value"))
    var meta: [String] = []

    @OptionGroup var endpoints: ArchiveEndpointOptions
    @OptionGroup var credentials: CredentialOptions
    @OptionGroup var tuning: UploadTuningOptions
    @OptionGroup var limits: DownloadLimitOptions
    @OptionGroup var logging: OutputOptions

    func validate() throws {
        guard (0...100).contains(webpQuality) else { throw ValidationError("--webp-quality must be between 0 and 100") }
        if let concurrency, !(1...512).contains(concurrency) {
            throw ValidationError("--concurrency must be between 1 and 512")
        }
        if let maxWorkers, !(1...512).contains(maxWorkers) {
            throw ValidationError("--max-workers must be between 1 and 512")
        }
        if concurrency != nil && maxWorkers != nil {
            throw ValidationError(
                "give --concurrency (a fixed number of transfers) or --max-workers (a ceiling for the tuning), not both"
            )
        }
        _ = try CommandSupport.metaOverrides(meta)
    }

    /// The download options these flags give, checked as the later stages check them (a usage error otherwise).
    func downloadOptions(
        users: [String], quality: Quality, webp: Bool, bbox: BoundingBox? = nil, upload: Bool,
        jobs: Int?
    ) throws -> DownloadOptions {
        let environment = ProcessInfo.processInfo.environment
        guard let token = token ?? environment["MAPILLARY_TOKEN"], !token.isEmpty else {
            throw ValidationError(
                "no Mapillary token: give --token or set MAPILLARY_TOKEN (get one at https://www.mapillary.com/dashboard/developers)"
            )
        }
        let overrides = try CommandSupport.metaOverrides(meta)
        let apiBase = apiURL ?? environment["MAPILLARY_API_URL"] ?? MapillaryClient.defaultAPIBase
        do { try MapillaryClient.validate(apiBase: apiBase) } catch { throw ValidationError("\(error)") }
        let iaEndpoints = try CommandSupport.endpoints(endpoints, environment: environment)
        let keys = upload ? try CommandSupport.credentials(credentials, environment: environment) : nil
        var options = limits.applied(
            to: DownloadOptions(
                usernames: users, token: token, outputDirectory: output,
                cacheDirectory: cacheDir ?? DownloadOptions.defaultCacheDirectory(), quality: quality, bbox: bbox,
                webp: webp, webpQuality: webpQuality, concurrency: concurrency, maxConcurrency: maxWorkers, jobs: jobs,
                tar: !noTar, checkIA: !noCheckIa, upload: upload, apiURL: apiBase, endpoints: iaEndpoints,
                templateDirectory: templateDir, metaOverrides: overrides,
                uploadOptions: try CommandSupport.uploadOptions(tuning),
                credentials: keys))
        options.skipExisting = skipExisting
        do { try options.validate() } catch { throw ValidationError("\(error)") }
        return options
    }
}
