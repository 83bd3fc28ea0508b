import Essentials
import HTTPClientKit

/// How ``ItemUploader`` uploads one item. The defaults suit IA; tests shrink sizes and waits.
public struct UploadOptions: Sendable {
    /// Queue IA's derive task after the item's last file (`x-archive-queue-derive: 1` on that file only).
    public var derive = true
    /// Describe every request (secret masked) in ``UploadReport/plannedRequests`` and send nothing.
    public var dryRun = false
    /// Files larger than this go up in parts.
    public var multipartThreshold: Int64 = 256 << 20
    /// Size of each part but the last (raised for a file that would need more than ``maximumParts`` parts),
    /// from ``minimumPartSize`` to ``maximumPartSize``.
    public var partSize: Int64 = 64 << 20
    /// The smallest part but the last that S3 takes (5 MiB). IA documents no limit of its own; tests lower this
    /// to send tiny parts.
    public var minimumPartSize: Int64 = 5 << 20
    /// The largest part S3 takes (5 GiB); a single PUT carries at most this much too, so it also caps
    /// ``multipartThreshold``.
    public static let maximumPartSize: Int64 = 5 << 30
    /// The most parts one multipart upload may have (S3: 10,000).
    public static let maximumParts: Int64 = 10_000
    /// The longest ``verifyTimeout``: a day.
    public static let maximumVerifyTimeout: Duration = .seconds(86_400)
    /// Ask the metadata API first and skip files IA already holds with the same MD5.
    public var checkRemote = true
    /// How long the journal's word that a file was uploaded outweighs IA not listing it: IA lists a file only
    /// once its ingest task has run, sometimes hours later. A file IA still does not list after this is sent
    /// again (IA lost it, or its ingest failed). Only applies when the metadata API could be read.
    public var ingestGrace: Duration = .seconds(6 * 3600)
    /// Ignore the journal's finished files for this run: send every file IA does not list with the local MD5.
    public var resend = false
    /// After the last file, wait for the metadata API to list every file with its local MD5.
    public var verify = true
    /// Longest wait for that listing; files not listed by then are reported as pending.
    public var verifyTimeout: Duration = .seconds(600)
    /// First pause between metadata polls; it grows by half each time up to ``verifyMaxInterval``.
    public var verifyInterval: Duration = .seconds(2)
    public var verifyMaxInterval: Duration = .seconds(30)
    /// Retries of resets, timeouts and 5xx answers (other than SlowDown) for each request.
    public var retry = RetryPolicy(maxAttempts: 10, baseDelay: .seconds(1), maxDelay: .seconds(120))
    /// First pause after a SlowDown before asking `check_limit`; it doubles up to ``slowDownMaxDelay``.
    public var slowDownInitialDelay: Duration = .seconds(10)
    public var slowDownMaxDelay: Duration = .seconds(300)
    /// Longest time one request may spend waiting for IA to get under its limit before the item fails.
    public var slowDownMaxWait: Duration = .seconds(6 * 3600)
    /// Secrets besides the uploader's own IA secret key that no published log file or metadata value may hold,
    /// in any form (the Mapillary token, known to `download` and to a campaign worker). An item that holds one is
    /// refused before anything is sent.
    public var withheldSecrets = SecretMask()
    /// A transfer with no byte moving for this long (also while IA thinks after the body) is retried.
    public var stallTimeout: Duration = .seconds(120)
    /// Asked before every request that changes the item on IA (each PUT, each part, a multipart upload's start and
    /// completion): false stops the upload with `.withdrawn` before that request is sent. A campaign worker passes
    /// its lease check, so that a worker whose job was taken over never writes to the item. Nil: always allowed.
    public var mayWrite: (@Sendable () async -> Bool)?

    public init() {}

    /// Throws `.badItem` for sizes or waits that cannot work, in one sentence that also names the command-line
    /// option. The command line calls this before any work starts; ``ItemUploader`` calls it again.
    public func validate() throws {
        func bad(_ sentence: String) -> InternetArchiveError { InternetArchiveError(.badItem, sentence) }
        guard (minimumPartSize...Self.maximumPartSize).contains(partSize) else {
            throw bad(
                "the part size (\(Self.shown(partSize))) is outside S3's limits of \(Self.shown(minimumPartSize)) to "
                    + "\(Self.shown(Self.maximumPartSize)) per part; give --part-size between \(minimumPartSize >> 20) and "
                    + "\(Self.maximumPartSize >> 20) (MiB)")
        }
        guard (0...Self.maximumPartSize).contains(multipartThreshold) else {
            throw bad(
                "the multipart threshold (\(Self.shown(multipartThreshold))) is outside 0 to "
                    + "\(Self.shown(Self.maximumPartSize)) (the most one PUT may carry); give --multipart-threshold "
                    + "between 0 and \(Self.maximumPartSize >> 20) (MiB)")
        }
        guard verifyTimeout >= .zero, verifyTimeout <= Self.maximumVerifyTimeout else {
            throw bad(
                "the verification wait (\(verifyTimeout)) is outside 0 to a day; give --verify-timeout between 0 "
                    + "and \(Self.maximumVerifyTimeout.components.seconds) (seconds)")
        }
        guard ingestGrace >= .zero else {
            throw bad("the ingest grace (\(ingestGrace)) is negative; give --ingest-grace of 0 or more (seconds)")
        }
        guard retry.maxAttempts >= 1 else { throw bad("the retry policy allows no attempt; allow at least one") }
        guard verifyInterval > .zero, verifyMaxInterval > .zero, slowDownInitialDelay >= .zero,
            slowDownMaxDelay >= .zero, slowDownMaxWait >= .zero, stallTimeout > .zero
        else {
            throw bad("an upload wait or interval is negative or zero; give positive durations")
        }
    }

    /// `N GiB` or `N MiB` for whole ones (0 MiB for 0), else `N bytes`; the ends of ``bytes(mebibytes:)`` as words.
    private static func shown(_ bytes: Int64) -> String {
        if bytes == .max { return "more than 8 EiB" }
        if bytes == .min { return "less than -8 EiB" }
        if bytes != 0 && bytes % (1 << 30) == 0 { return "\(bytes / (1 << 30)) GiB" }
        return bytes % (1 << 20) == 0 ? "\(bytes / (1 << 20)) MiB" : "\(bytes) bytes"
    }

    /// `mebibytes` × 1 MiB, or `Int64.max` (which every limit refuses) when that does not fit: the command
    /// line's sizes are in MiB, and a huge one must not wrap around to a small or negative size.
    public static func bytes(mebibytes: Int) -> Int64 {
        let (product, overflow) = Int64(mebibytes).multipliedReportingOverflow(by: 1 << 20)
        return overflow ? (mebibytes < 0 ? Int64.min : Int64.max) : product
    }
}
