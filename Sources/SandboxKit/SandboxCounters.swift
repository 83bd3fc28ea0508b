import Synchronization

/// A snapshot of what the Mapillary half has seen and injected.
public struct SandboxCounters: Sendable, Equatable {
    /// Requests to the Graph API origin (all paths).
    public var apiRequests = 0
    /// `/images` requests.
    public var pageRequests = 0
    /// `/{id}` lookups.
    public var lookupRequests = 0
    /// Requests to the CDN origin.
    public var cdnRequests = 0
    /// CDN requests carrying an `Authorization` header, an `access_token` or the token text (must stay 0).
    public var cdnRequestsWithCredentials = 0
    /// Requests answered 401 (bad or missing token).
    public var unauthorized = 0
    /// 429 answers from the rate limit.
    public var rateLimited = 0
    /// Injected 500/502/503 answers (API and CDN).
    public var injected5xx = 0
    /// Injected connection resets (API and CDN).
    public var injectedResets = 0
    /// "Please reduce the amount of data" answers.
    public var reduceDataAnswers = 0
    /// Area answers cut at the bbox cap (``SandboxConfiguration/bboxCap``) while more images matched.
    public var cappedAnswers = 0
    /// CDN 403 `URL signature expired` answers.
    public var expiredURLs = 0
    /// CDN 403 answers for a bad signature.
    public var badSignatures = 0
    /// CDN 200 answers.
    public var imagesServed = 0
    /// The most CDN requests the sandbox was answering at the same time (latency included).
    public var cdnPeakInFlight = 0
}

/// The live counters behind ``SandboxCounters``.
final class SandboxCounterSet: Sendable {
    enum Name: Int, CaseIterable {
        case apiRequests, pageRequests, lookupRequests, cdnRequests, cdnRequestsWithCredentials, unauthorized
        case rateLimited, injected5xx, injectedResets, reduceDataAnswers, cappedAnswers, expiredURLs, badSignatures
        case imagesServed
    }

    private let values: [AtomicCounter]
    private let cdnInFlight = Atomic<Int>(0)
    private let cdnPeak = Atomic<Int>(0)

    init() {
        values = Name.allCases.map { _ in AtomicCounter() }
    }

    func increment(_ name: Name) {
        values[name.rawValue].value.add(1, ordering: .relaxed)
    }

    /// Counts one CDN request as in flight until `body` returns.
    func inFlight<T>(_ body: () throws -> T) rethrows -> T {
        let now = cdnInFlight.add(1, ordering: .relaxed).newValue
        var peak = cdnPeak.load(ordering: .relaxed)
        while now > peak {
            let (exchanged, original) = cdnPeak.compareExchange(expected: peak, desired: now, ordering: .relaxed)
            if exchanged { break }
            peak = original
        }
        defer { cdnInFlight.subtract(1, ordering: .relaxed) }
        return try body()
    }

    func snapshot() -> SandboxCounters {
        func v(_ name: Name) -> Int { values[name.rawValue].value.load(ordering: .relaxed) }
        return SandboxCounters(
            apiRequests: v(.apiRequests), pageRequests: v(.pageRequests), lookupRequests: v(.lookupRequests),
            cdnRequests: v(.cdnRequests), cdnRequestsWithCredentials: v(.cdnRequestsWithCredentials),
            unauthorized: v(.unauthorized), rateLimited: v(.rateLimited), injected5xx: v(.injected5xx),
            injectedResets: v(.injectedResets), reduceDataAnswers: v(.reduceDataAnswers),
            cappedAnswers: v(.cappedAnswers),
            expiredURLs: v(.expiredURLs), badSignatures: v(.badSignatures), imagesServed: v(.imagesServed),
            cdnPeakInFlight: cdnPeak.load(ordering: .relaxed))
    }
}

/// An atomic counter with a stable address, so that several can live in an array.
private final class AtomicCounter: Sendable {
    let value = Atomic<Int>(0)
}
