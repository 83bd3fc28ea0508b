/// Everything a sandbox run can be tuned with. All knobs have defaults that make a quick, fault-free
/// sandbox with one user of 120 images.
public struct SandboxConfiguration: Sendable {
    /// How a user's data behaves.
    public enum UserKind: String, Sendable, CaseIterable {
        /// Plausible records with the API's quirks (wrapped altitudes, panoramas, missing fields).
        case normal
        /// Valid records mixed with unsafe ones (`../../x` sequences, ids with `/`, NUL, newline)
        /// and records without a thumbnail URL.
        case hostile
        /// Normal records, but the CDN answers 200 with bytes that are not a JPEG.
        case nonJPEG = "non-jpeg"
        /// A user that exists with zero images.
        case empty
        /// Every page's `paging.next` points to that page itself (a listing that never ends).
        case pagingSelf = "paging-self"
        /// The third page's `paging.next` points back to the second page (A→B→A); needs more than two pages.
        case pagingCycle = "paging-cycle"
        /// Every page repeats the first page's records under a fresh cursor, and the listing never ends.
        case repeatedPages = "repeated-pages"
        /// Every fourth image (the 2nd, 6th, …) is listed a second time after all others, with another capture
        /// date and sequence.
        case duplicates
        /// The CDN sends every tenth image (the 2nd, 12th, …) at ``SandboxConfiguration/cdnTrickleRate``.
        case trickle
        /// The CDN sends every tenth image (the 2nd, 12th, …) with more bytes than its `Content-Length`.
        case longBody = "long-body"
    }

    /// One Mapillary user the sandbox knows.
    public struct User: Sendable, Equatable {
        public var name: String
        public var imageCount: Int
        public var kind: UserKind
        /// Where the user's images lie: inside this box, each with a capture time; nil places them around a
        /// point of the user's own somewhere on the globe.
        public var region: Region?

        public init(name: String, imageCount: Int, kind: UserKind = .normal, region: Region? = nil) {
            self.name = name
            self.imageCount = kind == .empty ? 0 : max(0, imageCount)
            self.kind = kind
            self.region = region
        }

        /// Parses the command-line form `NAME[:COUNT[:KIND]]`, e.g. `alice:500` or `mallory:40:hostile`
        /// (count 120 and kind `normal` when left out).
        public init(parsing text: String) throws {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            let kinds = UserKind.allCases.map(\.rawValue).joined(separator: ", ")
            guard (1...3).contains(parts.count), !parts[0].isEmpty else {
                throw SandboxError(
                    .invalidConfiguration,
                    "the sandbox user \"\(text)\" is not NAME[:COUNT[:KIND]]; write it like alice:500:normal")
            }
            var count = 120
            if parts.count > 1 {
                guard let value = Int(parts[1]), value >= 0 else {
                    throw SandboxError(
                        .invalidConfiguration,
                        "the image count \"\(parts[1])\" of sandbox user \(parts[0]) is not a whole number of 0 or more"
                    )
                }
                count = value
            }
            var kind = UserKind.normal
            if parts.count > 2 {
                guard let value = UserKind(rawValue: parts[2]) else {
                    throw SandboxError(
                        .invalidConfiguration,
                        "the kind \"\(parts[2])\" of sandbox user \(parts[0]) is unknown; use one of \(kinds)")
                }
                kind = value
            }
            self.init(name: parts[0], imageCount: count, kind: kind)
        }
    }

    public var users: [User] = [User(name: "alice", imageCount: 120)]
    /// Areas populated by several contributors each (users named `mapper01`, `mapper02`, … after `users`).
    public var areas: [Area] = []
    /// A `/images` query with `bbox` and without `creator_username` answers at most this many records and no
    /// paging at all (the cap some report for the real API); nil pages such queries like any other.
    public var bboxCap: Int?
    /// Drives every generated value: same seed, same ids, cursors, URLs signatures and pixels.
    public var seed: UInt64 = 1
    public var host = "127.0.0.1"
    /// Graph API port P, CDN P+1 (further services P+2…); 0 picks free ports.
    public var port = 0
    /// The accepted token; nil derives `MLY|…` from the seed.
    public var token: String?
    /// Size of the `original` rendition of a non-panorama (panoramas are 2:1 of the same width).
    /// The other renditions scale it to a longest side of 256, 1024 and 2048 (default 4:3 sizes:
    /// 256×192, 1024×768, 2048×1536).
    public var originalSize = PixelSize(width: 2048, height: 1536)
    /// A folder of real JPEGs served instead of synthetic ones (cycled over each user's images).
    public var imagesFrom: String?
    /// Sleep before each Graph API answer.
    public var apiLatency: Duration = .zero
    /// Sleep before each CDN answer.
    public var cdnLatency: Duration = .zero
    /// Fraction (0…1) of API and CDN requests answered 500/502/503 (half) or reset (half).
    public var faultRate = 0.0
    /// Graph API requests per second (token bucket, bursts of a tenth of a second's worth) before
    /// answers become 429 (Graph code 4); nil = unlimited.
    public var rateLimit: Double?
    /// Every Nth Graph API request that passes the token check (the 2nd, the (2+N)th, …) is answered 429 (Graph
    /// code 4) whatever the time: a rate limit met for certain however slowly the requests come (a loaded test
    /// machine spaces them out). nil = never.
    public var rateLimitEvery: Int?
    /// `/images` pages asking for more records get HTTP 500 code 1 "Please reduce the amount of data…".
    public var maxRecordsPerResponse: Int?
    /// Lifetime of signed CDN URLs in listings; `/{id}` lookups mint URLs valid at least 60 s.
    public var urlLifetime: Duration = .seconds(3 * 24 * 3600)
    /// Graph API errors quote the token the request presented, raw, percent-encoded (upper- and lower-case hex)
    /// and its secret part alone, the way a careless API might: for tests that no form of it leaks.
    public var echoTokenInErrors = false
    /// JPEG quality of synthetic images.
    public var jpegQuality = 85
    /// Bytes per second at which the CDN sends the chosen images of `trickle` users; 0 sends the head and then
    /// nothing. ``MapillarySandbox/setTrickleRate(_:)`` changes it while the sandbox runs.
    public var cdnTrickleRate = 1
    /// Where generated images are cached (kept); nil = a temporary folder removed by `stop()`.
    public var dataDirectory: String?
    /// Further services started beside the Mapillary half (the Internet Archive half plugs in here).
    public var components: [any SandboxComponentFactory] = []

    public init() {}

    /// The token in effect.
    public var effectiveToken: String {
        if let token { return token }
        var random = SandboxRandom(seed: seed, "token")
        return "MLY|\(1_000_000_000 + random.next() % 8_999_999_999)|" + random.base62(32)
    }

    /// The port for service number `offset` (API 0, CDN 1, …): P+offset, or 0 when P is 0.
    public func port(offset: Int) -> Int {
        port == 0 ? 0 : port + offset
    }
}

/// Pixel dimensions.
public struct PixelSize: Sendable, Equatable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)×\(height)" }
}
