import Foundation
import Synchronization

/// Decides, per request, whether to fail it on purpose (fault rate), throttle it (rate limit) or
/// delay it (latency). Decisions come from a seeded generator, so a run's mix is reproducible.
final class FaultInjector: Sendable {
    enum Fault: Equatable {
        case status(Int)
        case reset
    }

    private let faultRate: Double
    private let random: Mutex<SandboxRandom>
    private let bucket: Mutex<(tokens: Double, last: ContinuousClock.Instant)>
    private let ratePerSecond: Double?

    init(seed: UInt64, faultRate: Double, ratePerSecond: Double?, purpose: String) {
        self.faultRate = min(max(faultRate, 0), 1)
        self.random = Mutex(SandboxRandom(seed: seed, "faults", purpose))
        if let rate = ratePerSecond, rate > 0 {
            self.ratePerSecond = rate
        } else {
            self.ratePerSecond = nil
        }
        self.bucket = Mutex((tokens: Self.burst(ratePerSecond ?? 1), last: ContinuousClock.now))
    }

    /// A fault to inject now, if any: half of them 500/502/503, half resets.
    func nextFault() -> Fault? {
        guard faultRate > 0 else { return nil }
        return random.withLock { r -> Fault? in
            guard r.unit() < faultRate else { return nil }
            if r.unit() < 0.5 { return .reset }
            return .status([500, 502, 503][Int(r.next() % 3)])
        }
    }

    /// Bucket capacity: a tenth of a second's worth of requests (at least one).
    static func burst(_ rate: Double) -> Double { max(1, rate / 10) }

    /// Takes one token from the bucket; false when empty.
    func admit() -> Bool {
        guard let rate = ratePerSecond else { return true }
        let now = ContinuousClock.now
        return bucket.withLock { state in
            let elapsed = now - state.last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            state.tokens = min(Self.burst(rate), state.tokens + seconds * rate)
            state.last = now
            guard state.tokens >= 1 else { return false }
            state.tokens -= 1
            return true
        }
    }
}
