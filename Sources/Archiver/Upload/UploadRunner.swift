import Essentials
import Foundation
import InternetArchive
import Logging

/// Uploads items with a live status line and log lines; one failed item never stops the others.
public struct UploadRunner: Sendable {
    /// The result of one item, for the summary.
    public struct Outcome: Sendable {
        public let item: String
        public let ok: Bool
        /// One short phrase: "uploaded and verified (12 files, 1.2 GB)", "failed: …".
        public let summary: String
        public let report: UploadReport?
        /// Why it failed, when it did.
        public var error: InternetArchiveError? = nil
    }

    public let env: RunEnvironment
    public let endpoints: IAEndpoints
    public let credentials: IACredentials
    public let options: UploadOptions

    /// From here on the console and log files mask the IA secret key and ``UploadOptions/withheldSecrets``.
    public init(env: RunEnvironment, endpoints: IAEndpoints, credentials: IACredentials, options: UploadOptions) {
        self.env = env
        self.endpoints = endpoints
        self.credentials = credentials
        self.options = options
        env.console.hide(credentials.mask.merging(options.withheldSecrets))
    }

    /// Uploads every item in turn.
    public func uploadAll(paths: [String]) async -> [Outcome] {
        var outcomes: [Outcome] = []
        for path in paths {
            if Task.isCancelled {
                outcomes.append(Outcome(item: path, ok: false, summary: "not started: interrupted", report: nil))
                continue
            }
            outcomes.append(await uploadOne(path: path, label: Self.name(of: path)))
        }
        return outcomes
    }

    /// Uploads one item and waits (bounded) for IA to list every file with its md5. A dry run sends nothing: its
    /// requests are in the outcome's report (`plannedRequests`) for the caller to print.
    public func uploadOne(path: String, label: String) async -> Outcome {
        let console = env.console
        let started = Date()
        // Tagged with the label: while other users run, their run logs get none of these lines.
        let logger = env.hub.logger("mapillary-archiver", job: label)
        let uploader = ItemUploader(
            credentials: credentials, endpoints: endpoints, http: env.http,
            logger: env.hub.logger("upload", job: label),
            progress: { console.status("upload " + label, Self.line(label: label, $0, started: started)) })
        defer { console.status("upload " + label, nil) }
        logger.info("\(label): uploading \(path) to \(endpoints.s3)")
        do {
            // Its warnings were logged as they happened (by the uploader's logger).
            let report = try await uploader.upload(itemPath: path, options: options)
            if options.dryRun {
                return Outcome(
                    item: path, ok: true, summary: "dry run: \(report.plannedRequests.count) requests printed",
                    report: report)
            }
            let sent = "\(report.uploaded.count) files sent, \(ByteFormat.size(report.bytesUploaded))"
            let skippedText =
                (report.alreadyOnIA.isEmpty ? "" : ", \(report.alreadyOnIA.count) already on IA")
                + (report.skippedFromJournal.isEmpty
                    ? "" : ", \(report.skippedFromJournal.count) sent earlier (journal)")
            if let verification = report.verification, !verification.isComplete {
                logger.warning(
                    "\(label): uploaded, but \(report.notYetVisible) files are not yet listed by IA with the right md5 (\(verification.summary)); \(verification.nextStep(item: path))"
                )
                return Outcome(
                    item: path, ok: true,
                    summary: "uploaded (\(sent)\(skippedText)); \(report.notYetVisible) files not yet visible on IA",
                    report: report)
            }
            let verified = report.verification == nil ? "uploaded" : "uploaded and verified"
            logger.info("\(label): \(verified): \(sent)\(skippedText)")
            return Outcome(item: path, ok: true, summary: "\(verified) (\(sent)\(skippedText))", report: report)
        } catch {
            logger.error("\(label): upload failed: \(error)")
            return Outcome(
                item: path, ok: false, summary: "failed: \(error)", report: nil,
                error: error as? InternetArchiveError)
        }
    }

    static func name(of path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    static func line(label: String, _ p: UploadProgress, started: Date) -> String {
        let elapsed = max(0.001, Date().timeIntervalSince(started))
        var parts = [label, p.stage.rawValue]
        if let file = p.file { parts.append(file) }
        if p.itemBytesTotal > 0 {
            parts.append(
                "\(ByteFormat.size(p.itemBytesSent))/\(ByteFormat.size(p.itemBytesTotal)) (\(p.itemBytesSent * 100 / p.itemBytesTotal)%)"
            )
            parts.append(ByteFormat.size(Int64(Double(p.itemBytesSent) / elapsed)) + "/s")
        }
        if p.retries > 0 { parts.append("\(p.retries) retries") }
        if let note = p.note { parts.append(note) }
        return parts.joined(separator: "  ")
    }
}

/// `verify --remote`: compares an item with what the Internet Archive lists for it.
public struct RemoteCheck: Sendable {
    public let env: RunEnvironment
    public let endpoints: IAEndpoints
    /// Keys for the metadata API (a dark or private item needs its owner's); nil reads it anonymously.
    public let credentials: IACredentials?

    /// The caller picks the keys: the user's for archive.org, the sandbox's for the sandbox (never the user's).
    public init(env: RunEnvironment, endpoints: IAEndpoints, credentials: IACredentials?) {
        self.env = env
        self.endpoints = endpoints
        self.credentials = credentials
    }

    /// One line per file that IA lacks or holds with another md5, then the command that fixes them (empty when all
    /// match).
    public func problems(item: String, timeout: Duration = .zero) async -> [String] {
        do {
            // Without keys the metadata API is asked with no Authorization header at all (public items answer).
            let uploader = ItemUploader(
                credentials: credentials, endpoints: endpoints, http: env.http,
                logger: env.hub.logger("verify"))
            let verification = try await uploader.verifyRemote(itemPath: item, timeout: timeout)
            if verification.unreachable {
                return ["\(item): the Internet Archive's metadata API could not be reached; try again later"]
            }
            var lines =
                !verification.itemFound
                ? ["\(item): the Internet Archive has no item \(verification.identifier) (or it is dark)"]
                : verification.pending.map { "\(item)/\($0): not on the Internet Archive (yet)" }
                    + verification.mismatched.map {
                        "\(item)/\($0.key): md5 differs (local \($0.localMD5), IA \($0.remoteMD5))"
                    }
            if !verification.isComplete { lines.append("\(item): to fix: " + verification.nextStep(item: item)) }
            return lines
        } catch {
            return ["\(item): \(error)"]
        }
    }
}
