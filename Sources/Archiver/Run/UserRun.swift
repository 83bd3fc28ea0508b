import Essentials
import Foundation
import HTTPClient
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
    public var seconds: Double = 0
    public var upload: String?
    /// Set when this user met an error that stops the whole batch (rejected token, full disk).
    public var stopsBatch: ArchiverError?

    public var succeeded: Bool {
        switch outcome {
        case .published, .upToDate, .skippedOnIA, .skippedExisting: return upload.map { !$0.hasPrefix("failed") } ?? true
        case .noImages, .incomplete, .failed: return false
        }
    }
}
