import Essentials
import Foundation
import InternetArchive

/// One user from start to end as `download` and `worker` both run it: the download (list, fetch, package,
/// publish) and, with `--upload`, the upload of the published item and IA's check of it.
struct UserJob: Sendable {
    let download: UserDownload
    let options: DownloadOptions
    let env: RunEnvironment

    /// - Parameter fence: asked before publishing and before every request that writes to IA (a campaign
    ///   worker's lease check); nil for `download`.
    init(
        user: String, options: DownloadOptions, env: RunEnvironment, budget: TransferBudget,
        counters: RunCounters = RunCounters(), fence: (@Sendable () async -> Bool)? = nil
    ) {
        var download = UserDownload(user: user, options: options, env: env, budget: budget, counters: counters)
        download.fence = fence
        var options = options
        options.uploadOptions.mayWrite = fence
        // The item's logs must not carry the token to IA, in any form.
        options.uploadOptions.withheldSecrets = options.uploadOptions.withheldSecrets.merging(
            SecretMask([options.token]))
        self.download = download
        self.options = options
        self.env = env
    }

    var user: String { download.user }
    var counters: RunCounters { download.counters }

    func run() async -> UserReport {
        var report = await download.run()
        guard report.stopsBatch == nil, options.upload, !Task.isCancelled else { return report }
        switch report.outcome {
        case .published(let path), .upToDate(let path):
            // An up-to-date item may still be missing on IA; the upload journal skips what is there.
            let started = Date()
            await upload(path: path, into: &report)
            report.uploadSeconds = Date().timeIntervalSince(started)
            report.seconds += report.uploadSeconds
        default:
            break
        }
        return report
    }

    /// Uploads a published item and waits for IA to list it; sets the report's upload columns.
    private func upload(path: String, into report: inout UserReport) async {
        guard let credentials = options.credentials else {
            report.upload =
                "failed: no IA keys (give --access-key/--secret-key, IA_ACCESS_KEY_ID/IA_SECRET_ACCESS_KEY, or an ia.ini)"
            report.uploadState = .failed
            return
        }
        let runner = UploadRunner(
            env: env, endpoints: options.endpoints, credentials: credentials,
            options: options.uploadOptions)
        let outcome = await runner.uploadOne(path: path, label: user)
        report.upload = outcome.summary
        report.uploadError = outcome.error
        report.uploadState =
            !outcome.ok
            ? .failed
            : outcome.report?.verification?.isComplete == true ? .verified : .uploaded
        if outcome.error?.code == .withdrawn { report.leaseLost = true }
    }
}
