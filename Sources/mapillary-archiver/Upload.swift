import ArgumentParser
import Archiver
import Essentials
import Foundation
import InternetArchive

struct Upload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Upload item folders to the Internet Archive through its S3 API, resumably, and verify them.",
        discussion: """
            The folder name is the IA identifier; .meta/ holds the item metadata (rip format). Every file is uploaded except top-level dot entries. Files above --multipart-threshold go up in parts; an interrupted upload resumes with the missing parts only. Files IA lists with the local md5 are skipped; a file IA lists with another md5 is sent again; a file IA does not list is skipped only while the journal in ITEM/.mapillary-archiver records it as sent less than --ingest-grace ago (IA lists a file once its ingest task has run), and sent again after that (or at once with --resend). When IA's metadata API cannot be read, the journal is trusted. SlowDown answers wait for IA's check_limit; resets, timeouts and 5xx are retried with backoff. After the last file, the command waits (up to --verify-timeout) until IA lists every file with the local md5. Keys: --access-key/--secret-key, else IA_ACCESS_KEY_ID/IA_SECRET_ACCESS_KEY, else the ia client's config file ($IA_CONFIG_FILE, $XDG_CONFIG_HOME/internetarchive/ia.ini, ~/.config/internetarchive/ia.ini, ~/.config/ia.ini, ~/.ia: the first that exists). One upload per item at a time: an item another process is uploading is refused at once (nothing is sent twice; run upload again later). A failed item does not stop the others; the command exits 1 and lists the failed items at the end.
            """)

    @Argument(help: ArgumentHelp("Item folders to upload.", valueName: "item-dir"))
    var items: [String]

    @Flag(help: "Print the requests (secrets masked) instead of sending them.")
    var dryRun = false

    @Flag(
        help:
            "Set the upload journal aside for this run: send every file IA does not list with the local md5, even one sent less than --ingest-grace ago (when IA lost an item)."
    )
    var resend = false

    @OptionGroup var credentials: CredentialOptions
    @OptionGroup var tuning: UploadTuningOptions
    @OptionGroup var endpoints: ArchiveEndpointOptions
    @OptionGroup var logging: OutputOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let keys = try CommandSupport.credentials(credentials, environment: environment)
        var options = try CommandSupport.uploadOptions(tuning)
        options.dryRun = dryRun
        options.resend = resend
        // The Mapillary token, where this shell has one, must not be published in an item's log either.
        options.withheldSecrets = SecretMask(environment["MAPILLARY_TOKEN"].map { [$0] } ?? [])
        let env = logging.environment()
        defer { env.shutdown() }
        let runner = UploadRunner(
            env: env, endpoints: try CommandSupport.endpoints(endpoints, environment: environment),
            credentials: keys, options: options)
        let paths = items.map { $0.count > 1 && $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        let outcomes = await CommandSupport.withInterruptHandling { await runner.uploadAll(paths: paths) }
        env.console.clearAllStatus()
        if dryRun {
            for request in outcomes.flatMap({ $0.report?.plannedRequests ?? [] }) { print(request) }
        }
        for outcome in outcomes { print(env.console.masked("\(outcome.item): \(outcome.summary)")) }
        let failed = outcomes.filter { !$0.ok }
        if !failed.isEmpty {
            print("failed: " + failed.map(\.item).joined(separator: " "))
            throw ExitCode(1)
        }
    }
}
