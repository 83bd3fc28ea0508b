import ArgumentParser
import Archiver
import Foundation
import InternetArchive
import Mapillary
import Packaging

struct Download: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download contributors' images into Internet Archive items (the default command).",
        discussion: """
            For each USERNAME: list the images through the Mapillary Graph API, download them (many at once), write EXIF (GPS, UTC time, camera, heading) and panorama XMP into each, convert to WebP, and stream them into one tar per capture date. When the user is complete, the item appears in --output in one rename: mapillary-USER-QUALITY[-webp]/ with .meta/, metadata.jsonl.gz, __ia_thumb__.jpg, the tars and the run's log. Work in progress lives in $XDG_CACHE_HOME/mapillary-archiver (else ~/.cache/mapillary-archiver); interrupt at any time and run the same command again to continue. A user whose item is already on the Internet Archive is skipped (--no-check-ia to download anyway); an item that download made earlier in --output is updated with the new images in addendum tars (DATE.1.tar, ...), and any other folder of that name there makes the user skip. A failed user does not stop the others; the command exits 1 and lists the failed users at the end. No user can hang a run: a listing that loops ends as a fault, image transfers below --speed-limit are cut and retried (each retry a warning, 10 minutes per image in all), and a user without any progress for --no-progress-timeout is given up until the next run.
            """)

    @Argument(help: ArgumentHelp("Mapillary usernames to archive.", valueName: "username"))
    var usernames: [String] = []

    @Option(
        help: ArgumentHelp("A file with one username per line (# comments allowed), for batch jobs.", valueName: "file")
    )
    var usersFile: String?

    @Option(help: ArgumentHelp("Image size.", valueName: "quality"))
    var quality = Choice(Quality.original)

    @Option(
        help: ArgumentHelp(
            "Only images inside W,S,E,N (degrees; area below 0.01 square degrees). Write --bbox=W,S,E,N when W is negative.",
            valueName: "W,S,E,N"))
    var bbox: String?

    @Flag(help: "Keep JPEGs (with the EXIF/XMP written in) instead of converting to WebP.")
    var noWebp = false

    @Option(
        help: ArgumentHelp(
            "Users archived at once; they share the transfers of --concurrency. Default: \(DownloadOptions.defaultJobs).",
            valueName: "n"))
    var jobs: Int?

    @Flag(help: "Upload each finished item to the Internet Archive and verify it.")
    var upload = false

    @OptionGroup var archiving: ArchivingOptions

    func validate() throws {
        if let jobs, !(1...64).contains(jobs) {
            throw ValidationError("--jobs must be between 1 and 64")
        }
        _ = try quality.value(of: "--quality")
        _ = try boundingBox()
    }

    func run() async throws {
        var users = usernames
        if let usersFile { users += try Self.readUsers(usersFile) }
        guard !users.isEmpty else {
            throw ValidationError("give at least one Mapillary username (or --users-file)")
        }
        let options = try archiving.downloadOptions(
            users: users, quality: quality.value(of: "--quality"), webp: !noWebp,
            bbox: boundingBox(), upload: upload, jobs: jobs)

        let env = archiving.logging.environment()
        defer { env.shutdown() }
        let log = try archiving.report.map { try ReportLog(path: $0, logger: env.logger) }
        let report = await CommandSupport.withInterruptHandling {
            await DownloadBatch(options: options, env: env, log: log).run()
        }
        env.console.clearAllStatus()
        print(env.console.masked(report.table()), terminator: "")
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    /// `--bbox` read as a box; a usage error naming what is wrong with it.
    func boundingBox() throws -> BoundingBox? {
        guard let bbox else { return nil }
        do { return try BoundingBox(parsing: bbox) } catch { throw ValidationError("\(error)") }
    }

    /// The usernames of a users file, each checked by the same rule as the command line's (naming the line).
    static func readUsers(_ path: String) throws -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read the users file \(path)")
        }
        var users: [String] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var name = line.trimmingCharacters(in: .whitespaces)
            if name.hasSuffix("\r") { name.removeLast() }
            guard !name.isEmpty, !name.hasPrefix("#") else { continue }
            if let problem = MapillaryUsername.problem(name) {
                throw ValidationError("the users file \(path), line \(number + 1): \(problem)")
            }
            users.append(name)
        }
        return users
    }
}
