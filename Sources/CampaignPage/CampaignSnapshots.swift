import Campaign
import Synchronization

/// Reads the queue for the page at most once per ``CampaignPageOptions/snapshotLifetime``: every request in that
/// time gets the same reading, and requests that arrive while the queue is read wait for that reading instead of
/// starting their own. Called on the server's connection threads, which may block on the queue.
final class CampaignSnapshots: Sendable {
    /// A reading of the queue, or the sentence that says why it failed.
    typealias Reading = Result<CampaignView, SnapshotFailure>

    struct SnapshotFailure: Error {
        let sentence: String
    }

    private let queue: JobQueue
    private let options: CampaignPageOptions
    private let latest = Mutex<(taken: ContinuousClock.Instant, reading: Reading)?>(nil)

    init(queue: JobQueue, options: CampaignPageOptions) {
        self.queue = queue
        self.options = options
    }

    func current() -> Reading {
        latest.withLock { latest in
            if let latest, ContinuousClock.now - latest.taken < options.snapshotLifetime { return latest.reading }
            let reading = read()
            latest = (ContinuousClock.now, reading)
            return reading
        }
    }

    private func read() -> Reading {
        do {
            let status = try queue.status(
                failures: options.failures, finished: options.finished, history: options.history)
            return .success(
                CampaignView(status: status, archiveURL: options.archiveURL, refreshSeconds: options.refreshSeconds))
        } catch {
            return .failure(SnapshotFailure(sentence: "the queue could not be read: \(error)"))
        }
    }
}
