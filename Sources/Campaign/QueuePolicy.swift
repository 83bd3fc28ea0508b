/// How a worker holds and gives back jobs: lease length, attempts, retry backoff, reconnection time.
public struct QueuePolicy: Sendable {
    /// How long a claim lasts without a heartbeat; a job whose lease ran out may be claimed by another worker.
    public var lease: Duration = .seconds(120)
    /// Attempts (claims) of one job before a transient failure, or an abandoned lease, fails it for good.
    public var maxAttempts = 5
    /// The wait before the second attempt; each later one waits twice as long, up to ``backoffCap``.
    public var backoffBase: Duration = .seconds(60)
    public var backoffCap: Duration = .seconds(3600)
    /// How long one call keeps reconnecting to PostgreSQL before it gives up with `connectionLost`.
    public var reconnectFor: Duration = .seconds(30)

    public init() {}

    /// The wait after the failure of attempt `attempt` (1-based).
    func backoff(afterAttempt attempt: Int) -> Duration {
        let doublings = min(max(attempt - 1, 0), 30)
        let wait = backoffBase * (1 << doublings)
        return min(wait, backoffCap)
    }
}

extension Duration {
    /// Whole milliseconds (rounded down), as the queue stores times.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// The duration in seconds, for APIs that take a TimeInterval.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
