import Essentials
import Foundation

/// The outcome of a whole `download` batch.
public struct BatchReport: Sendable {
    public let users: [UserReport]

    /// 0 when every user succeeded, 1 when any failed.
    public var exitCode: Int32 { users.allSatisfy(\.succeeded) ? 0 : 1 }

    /// The summary table printed at the end of a run.
    public func table() -> String {
        var rows: [[String]] = [["user", "downloaded", "skipped", "failed", "bytes", "time", "result"]]
        for r in users {
            let result: String
            switch r.outcome {
            case .published(let path): result = "published " + path
            case .upToDate(let path): result = "up to date " + path
            case .upToDateOnIA(let id): result = "up to date on IA: " + id
            case .skippedOnIA(let id): result = "already on IA: " + id
            case .skippedExisting(let path): result = "exists: " + path
            case .noImages: result = "no images"
            case .incomplete(let reason): result = "incomplete: " + reason
            case .failed(let reason): result = "FAILED: " + reason
            }
            rows.append([
                r.user, ByteFormat.grouped(r.downloaded), ByteFormat.grouped(r.alreadyDone),
                ByteFormat.grouped(r.failed + r.unavailable), ByteFormat.size(r.bytes),
                ByteFormat.duration(seconds: r.seconds), result + (r.upload.map { "; upload: " + $0 } ?? ""),
            ])
        }
        var out = TextTable.render(rows)
        for r in users where !r.failureReasons.isEmpty {
            out += "\n\(r.user): why images were not archived:\n"
            for reason in r.failureReasons.prefix(10) {
                out += "  \(ByteFormat.grouped(reason.count)) × \(reason.reason)\n"
            }
        }
        let failed = users.filter { !$0.succeeded }.map(\.user)
        if !failed.isEmpty {
            out += "\nfailed: " + failed.joined(separator: " ") + "\n"
        }
        return out
    }
}

/// Plain left-aligned columns.
enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        var widths = Array(repeating: 0, count: first.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count - 1 { widths[i] = max(widths[i], cell.count) }
        }
        var out = ""
        for row in rows {
            var line = ""
            for (i, cell) in row.enumerated() {
                line += i < widths.count - 1 ? cell.padding(toLength: widths[i] + 2, withPad: " ", startingAt: 0) : cell
            }
            out += line + "\n"
        }
        return out
    }
}
