import Essentials
import HTTPClientKit
import Synchronization

/// The liveness rule of one user's pipeline: when nothing moves for `limit` (no listing page recorded, no image
/// byte received, no image finished), ``watch()`` throws and the user is given up for this run instead of waiting
/// forever.
final class ProgressWatch: Sendable {
    let limit: Duration
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    /// Nanoseconds from `start` to the last sign of progress.
    private let last = Atomic<Int64>(0)

    init(limit: Duration) {
        self.limit = limit
        start = clock.now
    }

    /// Something moved.
    func touch() {
        last.store(Self.nanoseconds(clock.now - start), ordering: .relaxed)
    }

    /// A transfer's progress callback that counts received bytes as progress (cheap: it runs on the HTTP thread).
    func transferProgress() -> @Sendable (TransferProgress) -> Void {
        let seen = Atomic<Int64>(0)
        return { [self] progress in
            if seen.exchange(progress.downloaded, ordering: .relaxed) != progress.downloaded { touch() }
        }
    }

    /// Runs until cancelled (then throws `CancellationError`, as the pipeline's own tasks do); throws
    /// ``ArchiverError`` (`noProgress`) once nothing has moved for `limit`. Time in which this check itself could
    /// not run (a suspended machine, a starved process) does not count as time without progress.
    func watch() async throws {
        let interval = min(Duration.seconds(1), limit / 4)
        var lastCheck = clock.now
        while true {
            try await Task.sleep(for: interval)
            let now = clock.now
            if now - lastCheck > interval * 2 + .seconds(1) { touch() }
            lastCheck = now
            let idle = Self.nanoseconds(now - start) - last.load(ordering: .relaxed)
            if idle >= Self.nanoseconds(limit) {
                let shown = ByteFormat.duration(seconds: Double(Self.nanoseconds(limit)) / 1e9)
                throw ArchiverError(
                    .noProgress,
                    "nothing moved for \(shown) (no listing page, no image data, no image finished), so this user is given up for this run; the work so far is saved, run the same command again later (and check the network or Mapillary's status if it repeats)"
                )
            }
        }
    }

    private static func nanoseconds(_ d: Duration) -> Int64 {
        let (seconds, attoseconds) = d.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
