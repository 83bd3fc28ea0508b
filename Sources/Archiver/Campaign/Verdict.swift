import Campaign
import InternetArchive

/// What the worker does with a job once its run ended, read from the run's report.
enum Verdict: Equatable {
    /// Record it done with its result.
    case complete(JobResult)
    /// Record the failure: transient ones come back after a backoff, permanent ones fail the job.
    case fail(String, FailureKind)
    /// Give it back at once (the worker is stopping): it is not an attempt.
    case release
    /// Give it back and stop the worker: every other job would fail the same way.
    case stop(String)
    /// Another worker holds the job now: leave it alone.
    case leaseLost

    /// IA refusals that keys, not the item, are to blame for: every job would fail the same way.
    static let stoppingUploadErrors: Set<InternetArchiveError.Code> = [.credentials, .accessKeyRejected]
    /// IA refusals that another attempt would meet again.
    static let permanentUploadErrors: Set<InternetArchiveError.Code> = [
        .invalidIdentifier, .accessDenied, .badMetadata, .spam,
    ]

    init(_ report: UserReport, leaseLost: Bool, stopping: Bool) {
        if leaseLost {
            self = .leaseLost
            return
        }
        if let stop = report.stopsBatch {
            self = .stop(stop.description)
            return
        }
        if let error = report.uploadError, Self.stoppingUploadErrors.contains(error.code) {
            self = .stop(error.description)
            return
        }
        if report.succeeded {
            self = .complete(
                JobResult(
                    identifier: report.identifier, images: report.downloaded + report.alreadyDone,
                    bytes: report.bytes,
                    uploaded: report.uploadState == .verified || report.uploadState == .uploaded,
                    verified: report.uploadState == .verified))
            return
        }
        if stopping {
            self = .release
            return
        }
        if let error = report.uploadError {
            self = .fail(
                "the upload failed: \(error)", Self.permanentUploadErrors.contains(error.code) ? .permanent : .transient
            )
            return
        }
        switch report.outcome {
        case .noImages:
            self = .fail(
                "Mapillary lists no archivable image for this user (a misspelt or unknown username, no public images, or every image unavailable)",
                .permanent)
        case .incomplete(let reason):
            self = .fail(reason, .transient)
        case .failed(let reason):
            self = .fail(reason, report.permanent ? .permanent : .transient)
        case .published, .upToDate, .upToDateOnIA, .skippedOnIA, .skippedExisting:
            // Published, but the upload did not end well without an error to name (not expected).
            self = .fail(report.upload ?? "the upload did not finish", .transient)
        }
    }
}
