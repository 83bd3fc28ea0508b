import Essentials
import Foundation
import HTTPClientKit
import Logging
import Packaging

/// Uploads item folders to IA through IAS3: one PUT per file, multipart for large files, resumable from the
/// item's journal, skipping what IA already holds, riding out SlowDown and network trouble, and checking the
/// metadata API afterwards. Items are uploaded one file at a time (IA advises against parallel uploads into
/// one item); the caller runs items one after another or in parallel.
public final class ItemUploader: Sendable {
    /// Nil for a reader without keys: ``verifyRemote(itemPath:timeout:)`` then asks the metadata API with no
    /// Authorization header, and ``upload(itemPath:options:)`` refuses.
    let credentials: IACredentials?
    let endpoints: IAEndpoints
    let http: HTTPClient
    let logger: Logger
    let progress: (@Sendable (UploadProgress) -> Void)?

    /// `progress` gets status updates (see ``UploadProgress``); `logger` gets info and debug lines, never secrets.
    public init(
        credentials: IACredentials?, endpoints: IAEndpoints = IAEndpoints(), http: HTTPClient = HTTPClient(),
        logger: Logger = Logger(label: "InternetArchive"),
        progress: (@Sendable (UploadProgress) -> Void)? = nil
    ) {
        self.credentials = credentials
        self.endpoints = endpoints
        self.http = http
        self.logger = logger
        self.progress = progress
    }

    /// Uploads the item folder at `itemPath` (its name is the identifier) and, unless `options.verify` is off,
    /// waits for the metadata API to list every file.
    ///
    /// Files still not listed when the wait ends are reported in ``UploadReport/verification``, not thrown.
    /// Throws ``InternetArchiveError`` when the item cannot be uploaded (one sentence); whatever finished before
    /// is kept in the journal, so the next run continues from there.
    ///
    /// One upload per item at a time: the item's ``FolderLock`` is held from start to end (not in a dry run,
    /// which sends nothing), and a second upload of the same item is refused with `.itemBusy` at once.
    public func upload(itemPath: String, options: UploadOptions = UploadOptions()) async throws -> UploadReport {
        try options.validate()
        guard credentials != nil || options.dryRun else {
            throw InternetArchiveError(
                .credentials,
                "no Internet Archive keys were given for the upload of \(itemPath); "
                    + "pass --access-key and --secret-key, or set IA_ACCESS_KEY_ID and IA_SECRET_ACCESS_KEY")
        }
        let lock = options.dryRun ? nil : try Self.lock(item: Self.identifier(ofItem: itemPath).path)
        defer { lock?.release() }
        let session = try UploadSession(uploader: self, itemPath: itemPath, options: options)
        defer { session.close() }
        return try await session.run()
    }

    /// Compares the item's local files with what the metadata API lists, polling for up to `timeout`
    /// (zero: look once). Sends nothing to IAS3.
    public func verifyRemote(itemPath: String, timeout: Duration = .zero) async throws -> RemoteVerification {
        var options = UploadOptions()
        options.verifyTimeout = timeout
        options.dryRun = true
        let session = try UploadSession(uploader: self, itemPath: itemPath, options: options)
        defer { session.close() }
        return try await session.verifyOnly()
    }

    /// Takes the item's lock, or says in one sentence why it cannot: another process holds it, or the item's
    /// private folder cannot be written (the journal lives there).
    static func lock(item: String) throws -> FolderLock {
        do {
            return try FolderLock(folder: item)
        } catch .busy(let holder) {
            let who =
                holder.map { "another mapillary-archiver process (pid \($0))" } ?? "another mapillary-archiver process"
            throw InternetArchiveError(
                .itemBusy,
                "\(who) is already uploading \(item) (or working on it); this upload "
                    + "did not start, so nothing is sent twice: run upload again once that one has finished, and it sends "
                    + "only what is still missing")
        } catch .unwritable(let error) {
            throw InternetArchiveError(
                .state,
                "cannot keep the upload journal in \(item)/\(FolderLock.privateFolderName) "
                    + "(\(error)); upload records its progress inside the item, so make the item writable (or copy it to "
                    + "a writable disk) and upload again")
        }
    }

    /// The identifier of an item folder: the last component of its real path, checked with ``IdentifierRule``.
    static func identifier(ofItem path: String) throws -> (identifier: String, path: String) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw InternetArchiveError(.badItem, "\(path) is not a folder; give the item folder to upload")
        }
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
        let identifier = URL(fileURLWithPath: real).lastPathComponent
        if let problem = IdentifierRule.validate(identifier) {
            throw InternetArchiveError(
                .invalidIdentifier,
                problem + "; rename the item folder (its name is the IA "
                    + "identifier) and upload again")
        }
        return (identifier, real)
    }
}
