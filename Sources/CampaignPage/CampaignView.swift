import Campaign
import Essentials
import Foundation

/// What the campaign page shows, and `/status.json` serves: the queue's snapshot without the queue's name (a
/// PostgreSQL URL names a server and a user, which the page never shows), with a link to each finished item.
/// Keys are in snake_case, as in `queue status --json`.
struct CampaignView: Encodable, Sendable {
    let status: QueueStatus
    /// The archive.org root the finished items link to.
    let archiveURL: String
    let refreshSeconds: Int

    /// The page of item `identifier` (percent-encoded: the identifier comes from a worker, not from here).
    func detailsURL(_ identifier: String) -> String {
        archiveURL + "/details/" + PercentEncoding.encode(identifier)
    }

    var finished: [FinishedJob] { status.recentlyFinished ?? [] }

    private enum CodingKeys: String, CodingKey {
        case counts, running, recentFailures, lastHour, etaSeconds, history, recentlyFinished, refreshSeconds
    }

    /// A finished job and its item's page.
    private struct Finished: Encodable {
        let job: FinishedJob
        let detailsURL: String

        private enum CodingKeys: String, CodingKey { case detailsURL = "detailsUrl" }

        func encode(to encoder: any Encoder) throws {
            try job.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(detailsURL, forKey: .detailsURL)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status.counts, forKey: .counts)
        try container.encode(status.running, forKey: .running)
        try container.encode(status.recentFailures, forKey: .recentFailures)
        try container.encode(status.lastHour, forKey: .lastHour)
        try container.encode(status.etaSeconds, forKey: .etaSeconds)
        try container.encodeIfPresent(status.history, forKey: .history)
        try container.encode(
            finished.map { Finished(job: $0, detailsURL: detailsURL($0.identifier)) }, forKey: .recentlyFinished)
        try container.encode(refreshSeconds, forKey: .refreshSeconds)
    }

    /// The body of `/status.json`.
    func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data("{}".utf8))
    }
}
