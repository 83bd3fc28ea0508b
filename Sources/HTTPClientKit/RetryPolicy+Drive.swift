/// What one attempt of a retried operation decided.
public enum RetryStep<Value, Failure> {
    case done(Value)
    /// Try again after the policy's pause, or after `after` (a server's `Retry-After`, capped) when that is longer.
    case retry(Failure, after: Duration?)
    /// Try again at once with a changed request (a smaller page, a fresh URL, a wait already done); uses no attempt.
    case retryNow(Failure)
}

/// Why a retried operation stopped without a value; the caller turns it into its own sentence.
public enum RetryEnd<Failure> {
    /// The policy's attempts ran out after `attempts` (immediate retries not counted).
    case attemptsExhausted(Failure, attempts: Int)
    /// More immediate retries than allowed; `attempts` counts them too.
    case immediateRetriesExhausted(Failure, attempts: Int)
    /// The next try could not start within the time limit, after `attempts`.
    case timeLimit(Failure, attempts: Int)
    /// The task was cancelled: before an attempt or during a pause (nil), or after `Failure`, before its retry.
    case cancelled(Failure?)
}

extension RetryPolicy {
    /// Runs `attempt` until it is done or throws, pausing `delay(beforeAttempt:)` before each retry (longer when the
    /// server's `Retry-After`, capped at `retryAfterCap` or else `maxDelay`, asks for more); `willRetry` hears each
    /// retry with the attempt number it starts and its pause. Stops with the error `end` makes of a ``RetryEnd``:
    /// attempts or immediate retries spent, `timeLimit` (from the first attempt) reached, or the task cancelled.
    public func drive<Value, Failure>(
        immediateRetries: Int = .max, timeLimit: Duration? = nil, retryAfterCap: Duration? = nil,
        _ attempt: () async throws -> RetryStep<Value, Failure>,
        willRetry: (_ attempt: Int, _ failure: Failure, _ delay: Duration) -> Void = { _, _, _ in },
        end: (RetryEnd<Failure>) -> any Error
    ) async throws -> Value {
        let clock = ContinuousClock()
        let started = clock.now
        var attempts = 1
        var immediate = 0
        while true {
            if Task.isCancelled { throw end(.cancelled(nil)) }
            switch try await attempt() {
            case .done(let value):
                return value
            case .retryNow(let failure):
                immediate += 1
                guard immediate <= immediateRetries else {
                    throw end(.immediateRetriesExhausted(failure, attempts: attempts + immediate))
                }
                if let timeLimit, clock.now - started >= timeLimit {
                    throw end(.timeLimit(failure, attempts: attempts + immediate))
                }
            case .retry(let failure, let after):
                guard allows(attempt: attempts + 1) else { throw end(.attemptsExhausted(failure, attempts: attempts)) }
                if Task.isCancelled { throw end(.cancelled(failure)) }
                attempts += 1
                var pause = delay(beforeAttempt: attempts)
                if let after { pause = max(pause, min(after, retryAfterCap ?? maxDelay)) }
                if let timeLimit, clock.now + pause - started >= timeLimit {
                    throw end(.timeLimit(failure, attempts: attempts - 1))
                }
                willRetry(attempts, failure, pause)
                do {
                    try await Task.sleep(for: pause)
                } catch {
                    throw end(.cancelled(nil))
                }
            }
        }
    }
}
