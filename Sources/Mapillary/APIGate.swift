import HTTPClientKit
import Synchronization

/// What every Mapillary API request of a process passes through, so that many jobs behave as one client:
///
/// - **The token's first check.** Until an answer has shown the token to be accepted, one API request goes at a
///   time; the others wait for its verdict. A rejected token then fails every waiting and later request at once,
///   without sending it: a wrong token costs one refused request, whatever the number of jobs.
/// - **Mapillary's rate limit.** When any job meets it (HTTP 429, Graph codes 4, 17, 32, 613), every job's next
///   API request waits until the pause is over. The pause grows with consecutive limited answers (the retry
///   policy's ceiling for that many attempts, or the server's `Retry-After` when longer) and starts over after an
///   answer that was not limited.
///
/// CDN requests do not pass through it: the CDN neither checks the token nor limits it.
public final class APIGate: Sendable {
    private enum Token {
        case unchecked(probing: Bool)
        case accepted
        case rejected(MapillaryError)
    }

    private struct State {
        var token = Token.unchecked(probing: false)
        var openAt: ContinuousClock.Instant?
        var strikes = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Graph API error codes that mean "slow down" (application, user, page and call-rate limits).
    static let rateLimitCodes: Set<Int> = [4, 17, 32, 613]

    /// Waits until a request may go. Returns true when this request is the one that checks the token (the caller
    /// then reports its verdict, or ``probeEnded()``); throws the token error once the token was rejected, and
    /// `CancellationError` when the task is cancelled meanwhile.
    func enter() async throws -> Bool {
        var probe = false
        waiting: while true {
            let verdict: Result<Bool, MapillaryError>? = state.withLock { s in
                switch s.token {
                case .accepted: return .success(false)
                case .rejected(let error): return .failure(error)
                case .unchecked(probing: true): return nil
                case .unchecked(probing: false):
                    s.token = .unchecked(probing: true)
                    return .success(true)
                }
            }
            switch verdict {
            case .success(let isProbe)?:
                probe = isProbe
                break waiting
            case .failure(let error)?:
                throw error
            case nil:
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        do {
            while let openAt = state.withLock({ $0.openAt }), openAt > .now {
                try await Task.sleep(until: openAt, clock: .continuous)
            }
        } catch {
            if probe { probeEnded() }
            throw error
        }
        return probe
    }

    /// The token was accepted: every request may go.
    func tokenAccepted() {
        state.withLock { $0.token = .accepted }
    }

    /// The token was rejected: every waiting and later request fails with `error`.
    func tokenRejected(_ error: MapillaryError) {
        state.withLock { $0.token = .rejected(error) }
    }

    /// The checking request ended without a verdict on the token (a transport failure, a 5xx): the next
    /// request checks it.
    func probeEnded() {
        state.withLock { s in
            if case .unchecked = s.token { s.token = .unchecked(probing: false) }
        }
    }

    /// Records a rate-limited answer and returns the pause it started, or nil when a longer pause was already in
    /// force (another job's limited answer started it).
    @discardableResult
    func limited(retryAfter: Duration?, policy: RetryPolicy) -> Duration? {
        state.withLock { s in
            s.strikes += 1
            var pause = policy.ceiling(beforeAttempt: s.strikes + 1)
            if let retryAfter, retryAfter > pause { pause = retryAfter }
            let until = ContinuousClock.now + pause
            if let openAt = s.openAt, openAt >= until { return nil }
            s.openAt = until
            return pause
        }
    }

    /// Records an answer that was not rate-limited: the next limit starts from a short pause again.
    func passed() {
        state.withLock { $0.strikes = 0 }
    }

    /// True while a rate-limit pause is in force (for status lines).
    public var isPaused: Bool {
        state.withLock { s in s.openAt.map { $0 > .now } ?? false }
    }
}
