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
        var spam: Set<String>
        var accounts: [InternetArchiveSandboxConfiguration.Account]
        var random: SandboxRandom
        var counters = IASandboxCounters()
    }

    private let state: Mutex<State>

    init(configuration: InternetArchiveSandboxConfiguration, seed: UInt64) {
        state = Mutex(State(slowDownBurst: configuration.slowDownBurst, slowDownRate: configuration.slowDownRate,
                            overLimitChecks: configuration.overLimitChecks, faultRate: configuration.faultRate,
                            ingestDelay: configuration.ingestDelay, spam: configuration.spamIdentifiers,
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

    var ingestDelay: Duration {
        get { state.withLock { $0.ingestDelay } }
        set { state.withLock { $0.ingestDelay = newValue } }
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

    func count(_ change: (inout IASandboxCounters) -> Void) {
        state.withLock { change(&$0.counters) }
    }

    var counters: IASandboxCounters { state.withLock { $0.counters } }
}

/// What the IA half has seen and injected so far.
public struct IASandboxCounters: Sendable, Equatable {
    /// 503 SlowDown answers (bursts, rate and simulated), spam excluded.
    public var slowDowns = 0
    public var spamRefusals = 0
    public var checkLimitCalls = 0
    /// `check_limit` answers with `over_limit: 1`.
    public var overLimitAnswers = 0
    /// Injected connection resets.
    public var resets = 0
    /// Injected HTTP 500 answers.
    public var injected500s = 0
    /// 400 BadDigest answers.
    public var badDigests = 0
    /// Objects stored (PUTs and completed multipart uploads).
    public var filesStored = 0
    /// Requests refused for their credentials (403 InvalidAccessKeyId).
    public var badKeys = 0
    /// Request bodies that arrived chunked or without a length (411).
    public var missingLengths = 0
}

/// One request the IA half received, as its server saw it, with the status it answered (0 for a reset).
public struct IARequestRecord: Sendable {
    public enum Host: String, Sendable {
        case s3
        case archive
    }

    public let host: Host
    public let method: String
    public let target: String
    public let path: String
    public let query: [(name: String, value: String)]
    /// Names lowercased, in order.
    public let headers: [(name: String, value: String)]
    public let status: Int
    /// Body bytes read from the client.
    public let bodyBytes: Int64

    /// The last header named `name` (any case).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.last { $0.name == lowered }?.value
    }

    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }
}

/// The most recent requests (bounded).
final class IARequestLog: Sendable {
    static let capacity = 20_000
    private let entries = Mutex<[IARequestRecord]>([])

    func append(_ entry: IARequestRecord) {
        entries.withLock { list in
            if list.count >= Self.capacity { list.removeFirst(list.count - Self.capacity + 1) }
            list.append(entry)
        }
    }

    func all() -> [IARequestRecord] { entries.withLock { $0 } }

    func clear() { entries.withLock { $0.removeAll() } }
}
