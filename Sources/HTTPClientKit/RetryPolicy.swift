/// Exponential backoff with full jitter, capped: attempt n waits a random time in 0...min(maxDelay, baseDelay·2ⁿ⁻²).
public struct RetryPolicy: Sendable {
    /// Attempts in all, including the first.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int, baseDelay: Duration, maxDelay: Duration) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// 8 attempts, 0.5 s base, 60 s cap.
    public static let standard = RetryPolicy(maxAttempts: 8, baseDelay: .milliseconds(500), maxDelay: .seconds(60))

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1, baseDelay: .zero, maxDelay: .zero)

    /// The pause before attempt `n` (1-based): zero before the first attempt.
    public func delay(beforeAttempt n: Int) -> Duration {
        guard n > 1 else { return .zero }
        let cap = ceiling(beforeAttempt: n)
        let capNanos = nanoseconds(cap)
        guard capNanos > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...capNanos))
    }

    /// The largest pause attempt `n` can get: min(maxDelay, baseDelay·2ⁿ⁻²).
    public func ceiling(beforeAttempt n: Int) -> Duration {
        guard n > 1 else { return .zero }
        var ceiling = baseDelay
        var step = 2
        while step < n && ceiling < maxDelay {
            ceiling = ceiling * 2
            step += 1
        }
        return min(ceiling, maxDelay)
    }

    /// True while attempt `n` (1-based) is allowed.
    public func allows(attempt n: Int) -> Bool { n >= 1 && n <= maxAttempts }

    private func nanoseconds(_ d: Duration) -> Int64 {
        let (s, atto) = d.components
        guard s < Int64.max / 2_000_000_000 else { return Int64.max / 2 }
        return max(0, s * 1_000_000_000 + atto / 1_000_000_000)
    }
}
