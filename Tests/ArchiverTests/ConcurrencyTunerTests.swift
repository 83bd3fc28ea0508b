@testable import Archiver
import Synchronization
import Testing

/// The tuner replayed on a made-up network: `capacity` transfers' worth of bandwidth, 80 ms per transfer.
/// Every slot is kept busy (more images are always waiting), as in a long download.
struct ConcurrencyTunerTests {
    /// Replays `transfers` downloads and returns the limits the tuner set, in order. Each transfer takes 80 ms
    /// while at most `capacity` run; more share the link, so each takes proportionally longer. A finished
    /// transfer's slot is refilled at once (more images are always waiting).
    private func replay(
        capacity: Int, transfers: Int, bytes: Int = 200_000, cpuBound: Bool = false,
        probeInterval: Duration = .seconds(3600)
    ) async -> (final: Int, changes: [Int]) {
        let slots = AsyncSemaphore(limit: 16)
        let changes = Mutex<[Int]>([])
        let start = ContinuousClock.now
        let tuner = ConcurrencyTuner(
            slots: slots, maximum: 256, probeInterval: probeInterval, start: start,
            cpuBound: { cpuBound }, onChange: { limit in changes.withLock { $0.append(limit) } })
        var now = 0.0
        var finishing: [Double] = []  // finish times of the transfers in flight
        for _ in 0..<transfers {
            while finishing.count < slots.limit {
                await slots.acquire()
                let duration = 0.08 * max(1, Double(finishing.count + 1) / Double(capacity))
                finishing.append(now + duration)
            }
            finishing.sort()
            now = finishing.removeFirst()
            // As in the pipeline: reported while the transfer still holds its slot.
            tuner.transferFinished(bytes: bytes, at: start + .seconds(now))
            slots.release()
        }
        return (slots.limit, changes.withLock { $0 })
    }

    @Test func doublesUntilTheLinkIsFullThenStepsBack() async {
        let result = await replay(capacity: 64, transfers: 3000)
        #expect(result.changes == [32, 64, 128, 64])
        #expect(result.final == 64)
    }

    @Test func keepsARaiseThatPaysOffALittle() async {
        // 64 → 128 gains 70/64 (more than 5 %, less than 25 %): kept, and doubling stops there.
        let result = await replay(capacity: 70, transfers: 3000)
        #expect(result.final == 128)
        #expect(result.changes == [32, 64, 128])
    }

    @Test func neverRaisesWhileTheEncoderIsTheBottleneck() async {
        let result = await replay(capacity: 256, transfers: 2000, cpuBound: true)
        #expect(result.final == 16)
        #expect(result.changes.isEmpty)
    }

    @Test func reachesTheMaximumOnAWideLink() async {
        let result = await replay(capacity: 1000, transfers: 3000)
        #expect(result.final == 256)
    }

    @Test func keepsLargeImagesInFlightWithinTheMemoryBudget() async {
        // 8 MB originals: 512 MB allow 64 in flight, however wide the link.
        let result = await replay(capacity: 1000, transfers: 3000, bytes: 8 << 20)
        #expect(result.final == 64)
        #expect(result.changes == [32, 64])
    }

    @Test func probesUpwardLaterAndUndoesAProbeThatDidNotPay() async {
        // Settled at 64 on a link of 64; every probe to 80 gains nothing and is undone.
        let result = await replay(capacity: 64, transfers: 20000, probeInterval: .milliseconds(500))
        #expect(result.changes.prefix(4) == [32, 64, 128, 64])
        let probing = Array(result.changes.dropFirst(4))
        #expect(probing.filter { $0 == 80 }.count >= 2, "it keeps probing: \(probing)")
        #expect(probing.allSatisfy { $0 == 64 || $0 == 80 })
        // Every probe to 80 is undone (back to 64) unless the replay ended during it.
        for (index, limit) in probing.enumerated() where limit == 80 && index + 1 < probing.count {
            #expect(probing[index + 1] == 64, "probe \(index) was kept: \(probing)")
        }
    }
}
