import Essentials
import Foundation
import Synchronization

/// The numbers of a whole batch for its totals line: users finished and running, images and bytes of all of them.
final class BatchProgress: Sendable {
    /// The console status key of the totals line.
    static let statusKey = "\u{0}batch"

    private struct State {
        var running: [Int: RunCounters] = [:]
        var succeeded = 0
        var failed = 0
        var finishedImages = 0
        var finishedBytes = 0
    }

    /// Users in the batch; nil for a worker, which does not know how many jobs it will run.
    let users: Int?
    let started = Date()
    private let state = Mutex(State())

    init(users: Int?) {
        self.users = users
    }

    func started(_ index: Int, _ counters: RunCounters) {
        state.withLock { $0.running[index] = counters }
    }

    func finished(_ index: Int, _ report: UserReport) {
        state.withLock { s in
            let counters = s.running.removeValue(forKey: index)
            s.finishedImages += counters?.done.load(ordering: .relaxed) ?? report.downloaded
            s.finishedBytes += counters?.bytesDownloaded.load(ordering: .relaxed) ?? 0
            if report.succeeded { s.succeeded += 1 } else { s.failed += 1 }
        }
    }

    /// `all  12/200 users (1 failed, 8 running)  1,234 images  56.7 MB  41.2 img/s  12.3 MB/s  64 transfers`, or for a
    /// worker `worker NAME  12 jobs done (1 failed, 8 running)  …`.
    func line(transfers: Int, paused: Bool, label: String = "all") -> String {
        let (finished, failed, running, images, bytes) = state.withLock { s in
            (
                s.succeeded + s.failed, s.failed, s.running.count,
                s.finishedImages + s.running.values.reduce(0) { $0 + $1.done.load(ordering: .relaxed) },
                s.finishedBytes + s.running.values.reduce(0) { $0 + $1.bytesDownloaded.load(ordering: .relaxed) }
            )
        }
        let elapsed = max(0.001, Date().timeIntervalSince(started))
        var users =
            self.users.map { "\(ByteFormat.grouped(finished))/\(ByteFormat.grouped($0)) users" }
            ?? "\(ByteFormat.grouped(finished)) jobs done"
        var details: [String] = []
        if failed > 0 { details.append("\(ByteFormat.grouped(failed)) failed") }
        if running > 0 { details.append("\(running) running") }
        if !details.isEmpty { users += " (" + details.joined(separator: ", ") + ")" }
        var parts = [
            label, users, "\(ByteFormat.grouped(images)) images", ByteFormat.size(Int64(bytes)),
            ByteFormat.formatFixed(Double(images) / elapsed, decimals: 1) + " img/s",
            ByteFormat.size(Int64(Double(bytes) / elapsed)) + "/s", "\(transfers) transfers",
        ]
        if paused { parts.append("paused by Mapillary's rate limit") }
        return parts.joined(separator: "  ")
    }
}
