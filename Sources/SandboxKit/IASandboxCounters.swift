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
    /// Writes (PUT, POST) to an item that began while another write to the same item was still being answered:
    /// two uploaders at work on one item at once (one uploader sends one request at a time).
    public var overlappingItemWrites = 0
    /// Scrape requests answered 429 Too Many Requests (``InternetArchiveSandbox/throttleScrapes(count:)``).
    public var throttledScrapes = 0
}
