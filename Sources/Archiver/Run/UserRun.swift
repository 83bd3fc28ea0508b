import Essentials
import Foundation
import HTTPClientKit
import Imaging
import InternetArchive
import Logging
import Mapillary
import Packaging
import SQLiteStore

/// The outcome of one user in a `download` batch, for the summary table.
public struct UserReport: Sendable {
    public enum Outcome: Sendable, Equatable {
        case published(path: String)
        case upToDate(path: String)
        /// A later run started from IA's copy (the local item was gone) found no new image.
        case upToDateOnIA(identifier: String)
        case skippedOnIA(identifier: String)
        case skippedExisting(path: String)
        case noImages
        case incomplete(reason: String)
        case failed(reason: String)
    }

    public var user: String
    public var identifier: String
    public var outcome: Outcome
    public var downloaded = 0
    public var alreadyDone = 0
    public var failed = 0
    public var unavailable = 0
    public var refused = 0
    public var failureReasons: [(reason: String, count: Int)] = []
    public var bytes: Int64 = 0
    /// The whole user, upload included.
    public var seconds: Double = 0
    /// Closing the tars, metadata, `.meta` and publishing (part of ``seconds``).
    public var packageSeconds: Double = 0
    /// Uploading and waiting for IA to list the files (part of ``seconds``).
    public var uploadSeconds: Double = 0
    /// The summary's upload column: "uploaded and verified (…)", "failed: …"; nil without `--upload`.
    public var upload: String?
    /// How far the upload got; nil without `--upload`.
    public var uploadState: UploadState?
    /// Why the upload failed, when it did.
    public var uploadError: InternetArchiveError?
    /// Set when this user met an error that stops the whole batch (rejected token, full disk).
    public var stopsBatch: ArchiverError?
    /// A campaign worker stopped this user because another worker took the job over.
    public var leaseLost = false
    /// The failure would happen again on another attempt (the API refused the username, the staging folder was
    /// made with other settings): a campaign fails the job at once instead of retrying it.
    public var permanent = false

    /// Where an upload ended.
    public enum UploadState: String, Sendable {
        /// IA lists every file with the local MD5.
        case verified
        /// Every file was sent, but IA did not list them all (yet) when the wait ended.
        case uploaded
        case failed
    }

    public var succeeded: Bool {
        switch outcome {
        case .published, .upToDate, .upToDateOnIA, .skippedOnIA, .skippedExisting:
            return upload.map { !$0.hasPrefix("failed") } ?? true
        case .noImages, .incomplete, .failed: return false
        }
    }
}
