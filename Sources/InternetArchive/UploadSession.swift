import Essentials
import HTTPClientKit
import Logging
import Packaging

/// One call of ``ItemUploader/upload(itemPath:options:)``: the item's files, journal and report.
/// Used by one task only, start to end.
final class UploadSession {
    let uploader: ItemUploader
    let options: UploadOptions
    let identifier: String
    let item: String
    let files: [ItemFile]
    let requests: S3Requests
    let exchange: S3Exchange
    let run: UploadRun
    /// Nil only in a dry run of an item that has never been uploaded.
    let journal: UploadJournal?
    let manifest: ManifestMD5s
    /// `x-archive-size-hint`: the whole item's bytes.
    let sizeHint: Int64
    var report: UploadReport
    var metadataHeaders: [HTTPHeader] = []
    /// MD5s known in this run, by key.
    var localMD5: [String: String] = [:]

    var logger: Logger { uploader.logger }

    init(uploader: ItemUploader, itemPath: String, options: UploadOptions) throws {
        let (identifier, item) = try ItemUploader.identifier(ofItem: itemPath)
        self.uploader = uploader
        self.options = options
        self.identifier = identifier
        self.item = item
        self.files = try ItemFile.list(item: item)
        self.sizeHint = files.reduce(0) { $0 + $1.size }
        self.requests = S3Requests(
            endpoints: uploader.endpoints, credentials: uploader.credentials,
            identifier: identifier, stallTimeout: options.stallTimeout)
        self.run = UploadRun(identifier: identifier, handler: uploader.progress)
        self.exchange = S3Exchange(
            http: uploader.http, requests: requests, options: options, run: run,
            logger: uploader.logger)
        let target = uploader.endpoints.target(identifier)
        self.journal =
            options.dryRun
            ? try UploadJournal.openExisting(item: item, target: target)
            : try UploadJournal.open(item: item, target: target)
        var warnings: [String] = []
        self.manifest = ManifestMD5s(item: item) { warnings.append($0) }
        self.report = UploadReport(identifier: identifier)
        for warning in warnings { warn(warning) }
    }

    func close() {
        journal?.close()
    }

    func warn(_ sentence: String) {
        report.warnings.append(sentence)
        logger.warning("\(sentence)")
    }

    /// The whole upload: metadata, plan, send (or describe), verify.
    func run() async throws -> UploadReport {
        guard !files.isEmpty else {
            throw InternetArchiveError(
                .badItem,
                "the item \(item) has no files to upload (top-level dot entries are "
                    + "never uploaded); add its files first")
        }
        metadataHeaders = try loadMetadata()
        try checkForSecrets()
        let remote = await remoteItem()
        let toSend = try await plan(remote: remote)
        logger.info("\(identifier): \(toSend.count) of \(files.count) files to upload")
        if options.dryRun {
            try await describe(toSend)
            return report
        }
        try await send(toSend)
        if options.verify {
            report.verification = await verification(timeout: options.verifyTimeout)
        }
        report.retries = run.retries
        report.slowDownWait = run.slowDownWait
        return report
    }

    /// The `.meta` folder as headers; an item without one gets a warning and no metadata.
    private func loadMetadata() throws -> [HTTPHeader] {
        let metadata: ItemMetadata?
        do {
            metadata = try MetaFolder.read(item: item)
        } catch  where error is PackagingError || error is FileError {
            throw InternetArchiveError(.badMetadata, "the .meta folder of item \(identifier) is malformed: \(error)")
        }
        guard let metadata else {
            warn(
                "the item \(identifier) has no .meta folder, so it is uploaded without metadata (IA then files it "
                    + "as mediatype data in collection opensource); add .meta before the first upload to set them")
            return []
        }
        return try MetadataHeaders.make(metadata, identifier: identifier)
    }

    /// What IA holds already: `.unknown` in a dry run, with the check off, for a dark item, or when the metadata
    /// API failed (a warning says that the journal is trusted then).
    private func remoteItem() async -> RemoteView {
        guard !options.dryRun, options.checkRemote else { return .unknown }
        do {
            let item = try await metadataClient().item(identifier)
            if let item, item.isDark {
                warn(
                    "IA lists no files of \(identifier) because the item is dark; the journal is trusted: the files "
                        + "it records as uploaded are skipped unchecked, every other file is uploaded")
                return .unknown
            }
            return .listed(item)
        } catch {
            warn(
                "IA's metadata API could not say which files \(identifier) already holds (\(error)); the journal "
                    + "is trusted: the files it records as uploaded are skipped unchecked, every other file is uploaded"
            )
            return .unknown
        }
    }

    func metadataClient() -> ArchiveMetadataClient {
        ArchiveMetadataClient(
            http: uploader.http, endpoints: uploader.endpoints, credentials: uploader.credentials,
            retry: options.retry)
    }

    func isMultipart(_ file: ItemFile) -> Bool {
        file.size > options.multipartThreshold && file.size > 0
    }

    func itemHeaders(last: Bool) -> [HTTPHeader] {
        S3Requests.itemHeaders(sizeHint: sizeHint, derive: options.derive && last, metadata: metadataHeaders)
    }

    /// Throws `.fileChanged` when `file` no longer has the size and mtime it was listed with.
    func checkUnchanged(_ file: ItemFile, during: String = "after it was listed") throws {
        guard file.isUnchanged else {
            throw InternetArchiveError(
                .fileChanged,
                "\(file.path) changed \(during); run upload again when nothing "
                    + "writes to the item")
        }
    }
}
