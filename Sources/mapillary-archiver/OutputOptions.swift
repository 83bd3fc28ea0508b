import ArgumentParser
import Archiver

/// `--debug` and `--quiet`, shared by every command that logs.
struct OutputOptions: ParsableArguments {
    @Flag(
        help:
            "Also log debug details (API paging, per-image decisions, retries), on the console and in the run's log file."
    )
    var debug = false

    @Flag(help: "Show only warnings, errors and the final summary (no progress line).")
    var quiet = false

    func environment() -> RunEnvironment {
        RunEnvironment(console: Console(options: .init(quiet: quiet)), debug: debug, quiet: quiet)
    }
}

/// `--s3-url` and `--archive-url` (with their environment variables), shared by commands that reach IA.
struct ArchiveEndpointOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Internet Archive site (metadata, search). Env: IA_ARCHIVE_URL.", valueName: "url"))
    var archiveURL: String?

    @Option(
        name: .customLong("s3-url"), help: ArgumentHelp("IA S3 endpoint for uploads. Env: IA_S3_URL.", valueName: "url")
    )
    var s3URL: String?
}

/// IA keys, shared by `upload` and `download --upload`.
struct CredentialOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("IA S3 access key (else IA_ACCESS_KEY_ID, else the ia client's ia.ini).", valueName: "key"))
    var accessKey: String?

    @Option(help: ArgumentHelp("IA S3 secret key (else IA_SECRET_ACCESS_KEY, else ia.ini).", valueName: "secret"))
    var secretKey: String?
}

/// Upload tuning, shared by `upload` and `download --upload`.
struct UploadTuningOptions: ParsableArguments {
    @Flag(help: "Do not ask IA to derive the item after upload (x-archive-queue-derive: 0 on every file).")
    var noDerive = false

    @Option(
        help: ArgumentHelp(
            "Files above this many MiB (0-5120) go up in parts, resumable part by part.", valueName: "MiB"))
    var multipartThreshold: Int = 256

    @Option(help: ArgumentHelp("Part size for multipart uploads, in MiB (5-5120, S3's limits).", valueName: "MiB"))
    var partSize: Int = 64

    @Option(
        help: ArgumentHelp(
            "How long to wait for IA to list every uploaded file with its checksum (0-86400).", valueName: "seconds"))
    var verifyTimeout: Int = 600

    @Option(
        help: ArgumentHelp(
            "How long the upload journal's word that a file was sent outweighs IA not listing it (IA lists a file once its ingest task has run); after that such a file is sent again.",
            valueName: "seconds"))
    var ingestGrace: Int = 6 * 3600

    func validate() throws {
        _ = try CommandSupport.uploadOptions(self)
    }
}
