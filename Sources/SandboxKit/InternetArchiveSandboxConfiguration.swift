/// The Internet Archive half of the sandbox: IAS3 on one port, archive.org (metadata, scrape) on the next,
/// with accounts, IA's refusals and overload behaviour, and faults to inject. All knobs default to a quiet IA.
public struct InternetArchiveSandboxConfiguration: Sendable {
    /// One IA account: its S3 keys and the e-mail IA shows as uploader.
    public struct Account: Sendable, Equatable {
        public var accessKey: String
        public var secretKey: String
        public var email: String

        public init(accessKey: String, secretKey: String, email: String) {
            self.accessKey = accessKey
            self.secretKey = secretKey
            self.email = email
        }
    }

    /// An item that exists before any upload (for stats, "already on IA" and "someone else's item").
    public struct Item: Sendable, Equatable {
        public var identifier: String
        /// Metadata as IA lists it: repeated keys as several values.
        public var metadata: [String: [String]]
        public var files: [File]
        /// `item_size` as the scrape API reports it; nil sums the files.
        public var itemSize: Int64?
        /// The access key of the owner; nil means an account the sandbox does not know (uploads get AccessDenied).
        public var owner: String?
        /// A dark item: the metadata API omits `metadata`; uploads get AccessDenied.
        public var dark: Bool

        public init(
            identifier: String, metadata: [String: [String]] = [:], files: [File] = [], itemSize: Int64? = nil,
            owner: String? = nil, dark: Bool = false
        ) {
            self.identifier = identifier
            self.metadata = metadata
            self.files = files
            self.itemSize = itemSize
            self.owner = owner
            self.dark = dark
        }
    }

    /// A file of a preloaded item: its bytes, or only its listing (`md5`, `size`).
    public struct File: Sendable, Equatable {
        public var name: String
        public var contents: [UInt8]?
        public var md5: String?
        public var size: Int64?

        /// A real file: listed with the MD5 and size of `contents`.
        public init(name: String, contents: [UInt8]) {
            self.name = name
            self.contents = contents
        }

        /// A listing only.
        public init(name: String, md5: String, size: Int64) {
            self.name = name
            self.md5 = md5
            self.size = size
        }
    }

    /// Accounts IAS3 accepts; empty means one account derived from the sandbox seed.
    public var accounts: [Account] = []
    /// Refuse identifiers with upper-case letters on creation (IA does for some new items, see #641).
    public var rejectUpperCaseIdentifiers = false
    /// The next N upload requests (PUT, POST) get 503 SlowDown `total_tasks_queued exceeds global_limit`.
    public var slowDownBurst = 0
    /// Fraction (0…1) of upload requests answered 503 SlowDown at random.
    public var slowDownRate = 0.0
    /// The next N `check_limit` answers say `over_limit: 1`.
    public var overLimitChecks = 0
    /// Identifiers whose uploads get IA's permanent "appears to be spam" SlowDown.
    public var spamIdentifiers: Set<String> = []
    /// Fraction (0…1) of requests (both hosts) failed on purpose: half connection resets (uploads mid-body),
    /// half HTTP 500.
    public var faultRate = 0.0
    /// Uploaded files appear in the metadata API only this long after IA accepted them.
    public var ingestDelay: Duration = .zero
    /// Sleep before each answer.
    public var latency: Duration = .zero
    /// IA's per-item limit (1 TiB); an upload past it gets 403 AccessDenied with IA's text.
    public var maxItemSize: Int64 = 1 << 40
    /// Smallest part but the last in a multipart upload (AWS says 5 MiB; IA documents none): EntityTooSmall.
    public var minimumPartSize: Int64 = 0
    /// Items that exist from the start.
    public var items: [Item] = []
    /// The first N (when positive) scrape API requests get 429 Too Many Requests with `Retry-After: 1`, as
    /// ``InternetArchiveSandbox/throttleScrapes(count:)`` does while it runs.
    public var scrapeRateLimitBurst = 0
    /// Fields the scrape API leaves out of its answers (as when IA's search index lacks them), so a client has to
    /// read them from the metadata API instead.
    public var scrapeWithheldFields: Set<String> = []
    /// IAS3's port; 0 takes the sandbox's (P+2), or a free one when that is 0. A sandbox started with the ports of
    /// one stopped before serves the same URLs with none of its items (as if IA had lost them).
    public var s3Port = 0
    /// archive.org's port (metadata and scrape APIs); 0 takes the sandbox's (P+3), or a free one.
    public var archivePort = 0

    public init() {}

    /// The accounts in effect.
    public func effectiveAccounts(seed: UInt64) -> [Account] {
        if !accounts.isEmpty { return accounts }
        var random = SandboxRandom(seed: seed, "ia-account")
        return [Account(accessKey: random.base62(16), secretKey: random.base62(16), email: "sandbox@example.org")]
    }

    func validate() throws {
        func bad(_ sentence: String) -> SandboxError { SandboxError(.invalidConfiguration, sentence) }
        for rate in [slowDownRate, faultRate] where !(0...1).contains(rate) {
            throw bad("the IA sandbox rate \(rate) is not between 0 and 1")
        }
        guard slowDownBurst >= 0, overLimitChecks >= 0 else {
            throw bad("the IA sandbox SlowDown burst and over-limit counts must not be negative")
        }
        for account in accounts
        where account.accessKey.isEmpty || account.secretKey.isEmpty
            || account.accessKey.contains(":")
        {
            throw bad("the IA sandbox account \(account.email) needs a non-empty access key without ':' and a secret")
        }
        for port in [s3Port, archivePort] where !(0...65535).contains(port) {
            throw bad("the IA sandbox port \(port) is not within 0…65535")
        }
        var seen: Set<String> = []
        for item in items where !seen.insert(item.identifier).inserted {
            throw bad("the IA sandbox item \(item.identifier) is listed twice; give each item once")
        }
    }
}
