import Essentials
import Foundation

extension UserDownload {
    /// Redraws this user's status line until cancelled.
    func showProgress(counters: RunCounters, slots: AsyncSemaphore) async {
        while !Task.isCancelled {
            env.console.status(user, progressLine(counters: counters, transfers: slots.limit))
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    /// `alice  downloading  1,234/5,000 images (24%)  312.4 MB  41.2 img/s  12.3 MB/s  ETA 1m 31s`
    func progressLine(counters: RunCounters, transfers: Int) -> String {
        let elapsed = max(0.001, Date().timeIntervalSince(counters.started))
        let listed = counters.listed.load(ordering: .relaxed)
        let finished = counters.finished
        let doneNow = counters.done.load(ordering: .relaxed)
        let complete = counters.listingComplete.load(ordering: .relaxed)
        let bytes = counters.bytesWritten.load(ordering: .relaxed)
        let rate = Double(doneNow) / elapsed
        let byteRate = Double(counters.bytesDownloaded.load(ordering: .relaxed)) / elapsed
        var parts = [user, counters.stage]
        var images = "\(ByteFormat.grouped(finished))/\(ByteFormat.grouped(listed))\(complete ? "" : "+") images"
        if complete && listed > 0 { images += " (\(finished * 100 / listed)%)" }
        parts.append(images)
        parts.append(ByteFormat.size(Int64(bytes)))
        parts.append(ByteFormat.formatFixed(rate, decimals: 1) + " img/s")
        parts.append(ByteFormat.size(Int64(byteRate)) + "/s")
        if complete && rate > 0 && listed > finished {
            parts.append("ETA " + ByteFormat.duration(seconds: Double(listed - finished) / rate))
        }
        let failed = counters.failed.load(ordering: .relaxed)
        if failed > 0 { parts.append("\(failed) failed") }
        parts.append("\(transfers) transfers")
        return parts.joined(separator: "  ")
    }
}
