import Synchronization

/// The IA half's knobs that tests can turn while it runs, its seeded fault decisions, and its counters.
final class IASandboxControls: Sendable {
    enum Fault {
        case reset
        case status500
    }

    private struct State {
        var slowDownBurst: Int
        var slowDownRate: Double
        var overLimitChecks: Int
        var faultRate: Double
        var ingestDelay: Duration
        var throttledScrapes: Int
        var spam: Set<String>
        var accounts: [InternetArchiveSandboxConfiguration.Account]
        var random: SandboxRandom
        var counters = IASandboxCounters()
        /// Writes being answered, per identifier.
        var writing: [String: Int] = [:]
        /// Identifiers that had overlapping writes.
        var overlapped: Set<String> = []
    }

    private let state: Mutex<State>
    private let metadataFailing = Atomic<Bool>(false)

    init(configuration: InternetArchiveSandboxConfiguration, seed: UInt64) {
        state = Mutex(
            State(
                slowDownBurst: configuration.slowDownBurst, slowDownRate: configuration.slowDownRate,
                overLimitChecks: configuration.overLimitChecks, faultRate: configuration.faultRate,
                ingestDelay: configuration.ingestDelay,
                throttledScrapes: max(0, configuration.scrapeRateLimitBurst),
                spam: configuration.spamIdentifiers,
                accounts: configuration.effectiveAccounts(seed: seed),
                random: SandboxRandom(seed: seed, "ia", "faults")))
    }

    var accounts: [InternetArchiveSandboxConfiguration.Account] { state.withLock { $0.accounts } }

    func account(accessKey: String) -> InternetArchiveSandboxConfiguration.Account? {
        state.withLock { state in state.accounts.first { $0.accessKey == accessKey } }
    }

    func addAccount(_ account: InternetArchiveSandboxConfiguration.Account) {
        state.withLock { state in
            state.accounts.removeAll { $0.accessKey == account.accessKey }
            state.accounts.append(account)
        }
    }

    var ingestDelay: Duration { state.withLock { $0.ingestDelay } }

    /// The metadata API answers 503 while this is on.
    var metadataAPIFailing: Bool {
        get { metadataFailing.load(ordering: .relaxed) }
        set { metadataFailing.store(newValue, ordering: .relaxed) }
    }

    func isSpam(_ identifier: String) -> Bool { state.withLock { $0.spam.contains(identifier) } }

    func markSpam(_ identifier: String) { state.withLock { _ = $0.spam.insert(identifier) } }

    func injectSlowDown(count: Int) { state.withLock { $0.slowDownBurst += max(0, count) } }

    func setSlowDownRate(_ rate: Double) { state.withLock { $0.slowDownRate = min(max(rate, 0), 1) } }

    func setOverLimit(checks: Int) { state.withLock { $0.overLimitChecks = max(0, checks) } }

    func setFaultRate(_ rate: Double) { state.withLock { $0.faultRate = min(max(rate, 0), 1) } }

    /// True when this upload request should get a SlowDown (burst first, then the rate).
    func takeSlowDown() -> Bool {
        state.withLock { state in
            if state.slowDownBurst > 0 {
                state.slowDownBurst -= 1
                state.counters.slowDowns += 1
                return true
            }
            guard state.slowDownRate > 0, state.random.unit() < state.slowDownRate else { return false }
            state.counters.slowDowns += 1
            return true
        }
    }

    /// The `over_limit` value for a `check_limit` answer.
    func takeOverLimit() -> Int {
        state.withLock { state in
            state.counters.checkLimitCalls += 1
            guard state.overLimitChecks > 0 else { return 0 }
            state.overLimitChecks -= 1
            state.counters.overLimitAnswers += 1
            return 1
        }
    }

    func throttleScrapes(count: Int) { state.withLock { $0.throttledScrapes += max(0, count) } }

    /// True when this scrape request should get a 429 (the next N after ``throttleScrapes(count:)``).
    func takeScrapeThrottle() -> Bool {
        state.withLock { state in
            guard state.throttledScrapes > 0 else { return false }
            state.throttledScrapes -= 1
            state.counters.throttledScrapes += 1
            return true
        }
    }

    /// A fault to inject into this request, if any.
    func nextFault() -> Fault? {
        state.withLock { state in
            guard state.faultRate > 0, state.random.unit() < state.faultRate else { return nil }
            if state.random.unit() < 0.5 {
                state.counters.resets += 1
                return .reset
            }
            state.counters.injected500s += 1
            return .status500
        }
    }

    /// Counts a write to `identifier` as under way until its answer leaves (`reply`) or `body` returns; one that
    /// starts while another is under way counts as overlapping. The write ends before the answer is sent: the
    /// uploader's next request may arrive on another connection while this handler is still returning.
    func writing(_ identifier: String, reply: IAReply, _ body: () -> Void) {
        state.withLock { s in
            if s.writing[identifier, default: 0] > 0 {
                s.counters.overlappingItemWrites += 1
                s.overlapped.insert(identifier)
            }
            s.writing[identifier, default: 0] += 1
        }
        var ended = false
        let end = { [self] in
            guard !ended else { return }
            ended = true
            state.withLock { s in
                s.writing[identifier, default: 1] -= 1
                if s.writing[identifier] == 0 { s.writing[identifier] = nil }
            }
        }
        reply.beforeAnswer = end
        body()
        reply.beforeAnswer = nil
        end()
    }

    /// The identifiers that had overlapping writes.
    var overlappedIdentifiers: Set<String> { state.withLock { $0.overlapped } }

    func count(_ change: (inout IASandboxCounters) -> Void) {
        state.withLock { change(&$0.counters) }
    }

    var counters: IASandboxCounters { state.withLock { $0.counters } }
}
