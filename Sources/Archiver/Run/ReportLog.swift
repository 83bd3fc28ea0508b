import Essentials
import Foundation
import Logging
import Synchronization

/// `--report FILE.jsonl`: one JSON object per user, appended and fsynced as each user ends, so a crash keeps every
/// line written before it. The file is opened (created or appended to) before any work starts.
///
/// A line: `{"user", "identifier", "outcome", "path", "error", "images": {"downloaded", "already_done",
/// "unavailable", "failed", "refused"}, "bytes", "seconds": {"total", "download", "package", "upload"}, "upload",
/// "upload_summary", "finished_at"}` (docs/user-guide.md, "Reports").
public final class ReportLog: Sendable {
    public let path: String
    private let fd: Mutex<Int32>
    private let logger: Logger?

    /// Opens `path` for appending; throws ``ArchiverError`` `.usage` naming the file when it cannot be written.
    public init(path: String, logger: Logger? = nil) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw ArchiverError(
                .usage,
                "the report file \(path) cannot be written (\(reason)); give a --report path in a writable folder")
        }
        self.path = path
        self.fd = Mutex(fd)
        self.logger = logger
    }

    deinit {
        fd.withLock { if $0 >= 0 { close($0) } }
    }

    /// Appends one user's line and syncs it. A failure is logged once per line, never thrown: the archive matters
    /// more than its report.
    public func append(_ report: UserReport, finishedAt: Date = Date()) {
        var bytes = Array(Self.line(report, finishedAt: finishedAt).utf8)
        bytes.append(UInt8(ascii: "\n"))
        let failure: String? = fd.withLock { fd in
            do {
                try DurableFile.writeAll(fd: fd, bytes: bytes, path: path)
                try SystemCall.onFile("fsync", path) { fsync(fd) }
                return nil
            } catch {
                return "\(error)"
            }
        }
        if let failure {
            logger?.warning("\(report.user): could not write the report line to \(path) (\(failure))")
        }
    }

    /// The JSON object of one user (keys sorted, one line).
    static func line(_ r: UserReport, finishedAt: Date) -> String {
        var path: String?
        var error: String?
        let outcome: String
        switch r.outcome {
        case .published(let p): outcome = "published"; path = p
        case .upToDate(let p): outcome = "up_to_date"; path = p
        case .upToDateOnIA: outcome = "up_to_date_on_ia"
        case .skippedOnIA: outcome = "skipped_on_ia"
        case .skippedExisting(let p): outcome = "skipped_existing"; path = p
        case .noImages: outcome = "no_images"
        case .incomplete(let reason): outcome = "incomplete"; error = reason
        case .failed(let reason): outcome = reason.hasPrefix("not started") ? "not_started" : "failed"; error = reason
        }
        if error == nil, r.uploadState == .failed { error = r.upload }
        let object: [String: Any] = [
            "user": r.user, "identifier": r.identifier, "outcome": outcome,
            "path": path ?? NSNull(), "error": error ?? NSNull(),
            "images": [
                "downloaded": r.downloaded, "already_done": r.alreadyDone, "unavailable": r.unavailable,
                "failed": r.failed, "refused": r.refused,
            ],
            "bytes": r.bytes,
            "seconds": [
                "total": rounded(r.seconds), "package": rounded(r.packageSeconds),
                "upload": rounded(r.uploadSeconds),
                "download": rounded(max(0, r.seconds - r.packageSeconds - r.uploadSeconds)),
            ],
            "upload": r.uploadState?.rawValue ?? NSNull(), "upload_summary": r.upload ?? NSNull(),
            "finished_at": UTCCalendar.iso8601(milliseconds: Int64(finishedAt.timeIntervalSince1970 * 1000)),
        ]
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
}
