import Essentials
import Foundation
import InternetArchive
import Logging

/// `download` over many users: each user in turn; a failed user does not stop the others.
public struct DownloadBatch: Sendable {
    public let options: DownloadOptions
    public let env: RunEnvironment

    public init(options: DownloadOptions, env: RunEnvironment) {
        self.options = options
        self.env = env
    }

    /// Runs every user and returns their reports. A batch-stopping error (rejected token, full disk) ends
    /// the batch early: the users not reached are reported as not started.
    public func run() async -> BatchReport {
        var reports: [UserReport] = []
        var stopped: String?
        // From here on no console line, log file or summary shows the token or the IA secret, in any form.
        env.console.hide(SecretMask([options.token], marker: "‹token›"))
        if let credentials = options.credentials { env.console.hide(credentials.mask) }
        do {
            try options.validate()
        } catch {
            env.logger.error("\(error)")
            stopped = "\(error)"
        }
        for (index, user) in options.usernames.enumerated() {
            if Task.isCancelled {
                stopped = "interrupted"
            }
            if let stopped {
                reports.append(UserReport(user: user, identifier: options.identifier(for: user),
                                          outcome: .failed(reason: "not started: \(stopped)")))
                continue
            }
            if options.usernames.count > 1 {
                env.logger.info("user \(index + 1)/\(options.usernames.count): \(user)")
            }
            var report = await UserDownload(user: user, options: options, env: env).run()
            if let stop = report.stopsBatch {
                env.logger.error("\(user): \(stop)")
                stopped = stop.description
            } else if options.upload && !Task.isCancelled {
                switch report.outcome {
                case .published(let path), .upToDate(let path):
                    // An up-to-date item may still be missing on IA; the upload journal skips what is there.
                    report.upload = await upload(path: path, user: user)
                default:
                    break
                }
            }
            reports.append(report)
        }
        return BatchReport(users: reports)
    }

    /// Uploads a freshly published item and waits for IA to list it; returns the summary's upload column.
    private func upload(path: String, user: String) async -> String {
        guard let credentials = options.credentials else {
            return "failed: no IA keys (give --access-key/--secret-key, IA_ACCESS_KEY_ID/IA_SECRET_ACCESS_KEY, or an ia.ini)"
        }
        var uploadOptions = options.uploadOptions
        uploadOptions.withheldSecrets = uploadOptions.withheldSecrets.merging(SecretMask([options.token]))
        let runner = UploadRunner(env: env, endpoints: options.endpoints, credentials: credentials,
                                  options: uploadOptions)
        return await runner.uploadOne(path: path, label: user).summary
    }
}

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
            case .skippedOnIA(let id): result = "already on IA: " + id
            case .skippedExisting(let path): result = "exists: " + path
            case .noImages: result = "no images"
            case .incomplete(let reason): result = "incomplete: " + reason
            case .failed(let reason): result = "FAILED: " + reason
            }
            rows.append([r.user, ByteFormat.grouped(r.downloaded), ByteFormat.grouped(r.alreadyDone),
                         ByteFormat.grouped(r.failed + r.unavailable), ByteFormat.size(r.bytes),
                         ByteFormat.duration(seconds: r.seconds), result + (r.upload.map { "; upload: " + $0 } ?? "")])
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
