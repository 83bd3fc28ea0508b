import Synchronization

/// Sets the number of transfers in flight from what the transfers show, like TCP's slow start: while every slot is
/// busy, the downloaded images are not waiting for the encoder, and the last raise paid off (throughput × 1.5 or
/// more), the limit doubles once per round (a round is as many finished transfers as the limit, so about one
/// transfer time); a doubling that did not pay off is undone. Then it probes upward by a quarter every few seconds
/// and keeps a raise only when throughput grew with it.
///
/// Each decision compares the round after a change with the round just before it, so a drifting network or a busy
/// machine does not fool it. Fed by ``transferFinished(bytes:)``; the slots change at once.
final class ConcurrencyTuner: Sendable {
    let slots: AsyncSemaphore
    let maximum: Int
    /// Bytes the transfers in flight may hold between them, at the average size seen so far: a limit of 256 is
    /// fine for 200 KB images but not for 10 MB panoramas.
    let memoryBudget: Int
    /// Time between upward probes once doubling has stopped.
    let probeInterval: Duration
    private let cpuBound: @Sendable () -> Bool
    private let onChange: @Sendable (Int) -> Void
    private let state: Mutex<State>

    /// A round's throughput must grow this much for doubling to go on (a doubling that was not needed gains
    /// nothing; one that was gains up to 2×).
    static let doublingGain = 1.5
    /// A probe is kept when throughput grew at least this much.
    static let probeGain = 1.05

    private enum Phase {
        /// Doubling while it pays off.
        case doubling
        /// Limit settled; probing upward every `probeInterval`.
        case steady
    }

    private struct Round {
        var start: ContinuousClock.Instant
        var bytes = 0
        var count = 0
    }

    private struct State {
        var phase = Phase.doubling
        var round: Round
        /// Throughput of the last full round before the pending change, and the limit it had.
        var baseline: (rate: Double, limit: Int)?
        /// Rounds to let pass before judging a change (the first one mixes old and new limits).
        var settling = 0
        var lastProbe: ContinuousClock.Instant
        /// Every transfer so far, for the average size.
        var totalBytes = 0
        var totalCount = 0
    }

    init(
        slots: AsyncSemaphore, maximum: Int = 256, memoryBudget: Int = 512 << 20,
        probeInterval: Duration = .seconds(3), start: ContinuousClock.Instant = .now,
        cpuBound: @escaping @Sendable () -> Bool, onChange: @escaping @Sendable (Int) -> Void
    ) {
        self.slots = slots
        self.maximum = max(slots.limit, maximum)
        self.memoryBudget = memoryBudget
        self.probeInterval = probeInterval
        self.cpuBound = cpuBound
        self.onChange = onChange
        let now = start
        state = Mutex(State(round: Round(start: now), lastProbe: now))
    }

    /// Records one finished transfer of `bytes`; ends the round (and may change the limit) once the round is full.
    func transferFinished(bytes: Int) {
        transferFinished(bytes: bytes, at: .now)
    }

    /// ``transferFinished(bytes:)`` at a given instant (tests replay a network on a made-up clock).
    func transferFinished(bytes: Int, at now: ContinuousClock.Instant) {
        let limit = slots.limit
        let change = state.withLock { s -> Int? in
            s.round.bytes += bytes
            s.round.count += 1
            s.totalBytes += bytes
            s.totalCount += 1
            // At least 16 transfers per round: fewer are too noisy to judge a change by.
            guard s.round.count >= max(limit, 16), now > s.round.start else { return nil }
            let seconds = Self.seconds(now - s.round.start)
            let rate = Double(s.round.bytes) / seconds
            s.round = Round(start: now)
            return decide(&s, rate: rate, limit: limit, now: now)
        }
        if let change {
            slots.setLimit(change)
            onChange(change)
        }
    }

    /// The new limit after a round with throughput `rate` at `limit`, or nil to keep it.
    private func decide(_ s: inout State, rate: Double, limit: Int, now: ContinuousClock.Instant) -> Int? {
        if s.settling > 0 {
            s.settling -= 1
            return nil
        }
        if let baseline = s.baseline {
            s.baseline = nil
            switch s.phase {
            case .doubling where rate >= baseline.rate * Self.doublingGain:
                break  // paid off: keep doubling below
            case .doubling where rate >= baseline.rate * Self.probeGain:
                s.phase = .steady
                s.lastProbe = now
                return nil
            default:
                // Did not pay off: back to the limit before the change, and settle there.
                s.phase = .steady
                s.lastProbe = now
                s.settling = 1
                return baseline.limit
            }
        }
        // Raise only when every slot is busy and the encoder keeps up: otherwise more transfers would wait.
        let ceiling = min(maximum, max(limit, memoryBudget / max(1, s.totalBytes / max(1, s.totalCount))))
        guard limit < ceiling, slots.inUse >= limit, !cpuBound() else { return nil }
        let raised: Int
        switch s.phase {
        case .doubling:
            raised = min(ceiling, limit * 2)
        case .steady:
            guard now - s.lastProbe >= probeInterval else { return nil }
            s.lastProbe = now
            raised = min(ceiling, max(limit + 4, limit * 5 / 4))
        }
        s.baseline = (rate, limit)
        // A doubling is judged on the very next round, though that round still mixes in transfers started
        // under the old limit (hence the high bar of ``doublingGain``); a small probe needs one round to
        // settle before its effect stands out from the noise.
        s.settling = s.phase == .doubling ? 0 : 1
        return raised
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
