import Essentials
import Foundation
import HTTPClientKit
import Logging

/// Client of the Mapillary Graph API v4 (image listing, URL refresh) and of its image CDN.
///
/// The token travels only in the `Authorization: OAuth …` header, only to the API origin (scheme,
/// host and port of `apiBase`); CDN requests carry no credentials. Retryable failures (429, 5xx,
/// Graph codes 1/2/4/17, resets, timeouts) are retried with the ``RetryPolicy``; 400s and token
/// rejections are not.
public struct MapillaryClient: Sendable {
    /// The Graph API root used in production.
    public static let defaultAPIBase = "https://graph.mapillary.com"
    /// The largest page the API serves (its default, too).
    public static let maximumPageSize = 2000
    /// The smallest page the client shrinks to when the API asks for less data.
    public static let minimumPageSize = 25
    /// Fresh URLs asked for per image download before giving up.
    static let maximumRefreshes = 3

    /// The API root without a trailing slash, e.g. `https://graph.mapillary.com`.
    public let apiBase: String
    let http: HTTPClient
    let token: String
    /// Every form of the token, hidden in whatever the API or the network says back (see ``SecretMask``).
    public let tokenMask: SecretMask
    let retry: RetryPolicy
    let logger: Logger
    let apiOrigin: URLOrigin?
    /// Shared by every client of a batch: a rate-limited answer pauses all of their API requests.
    let gate: APIGate
    /// Longest wait for one API answer (a page of 2000 records can take a while to come).
    public var apiTimeout: Duration = .seconds(120)
    /// Longest wait for one image download.
    public var downloadTimeout: Duration = .seconds(600)
    /// A download that moves no byte for this long is abandoned and retried (whole seconds).
    public var downloadStallTimeout: Duration = .seconds(60)
    /// An image download slower than this is abandoned and retried; nil = no floor (the stall timeout still holds).
    public var downloadSpeedFloor: TransferSpeedFloor? = TransferSpeedFloor(bytesPerSecond: 1024, window: .seconds(30))
    /// Longest time one image may take over all its attempts; then it fails with `imageTimeLimit` (passing: the
    /// next run tries it again).
    public var imageTimeLimit: Duration = .seconds(600)

    /// Builds a client. An unusable `apiBase` is reported by ``validate(apiBase:)`` and by every call.
    public init(
        http: HTTPClient, apiBase: String, token: String, retry: RetryPolicy = .standard,
        gate: APIGate = APIGate(), logger: Logger
    ) {
        var base = apiBase
        while base.hasSuffix("/") { base.removeLast() }
        self.apiBase = base
        self.http = http
        self.token = token
        self.tokenMask = SecretMask([token], marker: "‹token›")
        self.retry = retry
        self.logger = logger
        self.gate = gate
        self.apiOrigin = URLOrigin(base)
    }

    /// Throws ``MapillaryError`` (`network`) unless `apiBase` is a plain http(s) URL without query.
    public static func validate(apiBase: String) throws {
        guard URLOrigin(apiBase) != nil, !apiBase.contains("?"), !apiBase.contains("#") else {
            throw MapillaryError(
                .network,
                "the Mapillary API URL \"\(MapillaryError.sanitized(apiBase, limit: 100))\" is not an http(s) URL; check --api-url or MAPILLARY_API_URL"
            )
        }
    }

    /// Throws ``MapillaryError`` (`tokenRejected`) when `token` is empty or holds spaces or control characters:
    /// it goes into a header, so such a token could never work. Never quotes the token.
    public static func validate(token: String) throws {
        guard !token.isEmpty,
            !token.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw MapillaryError(
                .tokenRejected,
                "the Mapillary token is empty or contains spaces or control characters; copy it again from https://www.mapillary.com/dashboard/developers (it looks like MLY|…)"
            )
        }
    }

    /// The fields asked for in listings: what the toolkit uses, what the Python tool's metadata
    /// carries, and only the chosen quality's thumbnail URL.
    public static func fields(for quality: Quality) -> [String] {
        [
            "id", "captured_at", "compass_angle", "computed_compass_angle", "geometry", "computed_geometry",
            "altitude", "computed_altitude", "is_pano", "sequence", "camera_type", "camera_parameters", "make",
            "model", "exif_orientation", "computed_rotation", "height", "width", "creator", quality.thumbField,
        ]
    }

    /// The first page of a user's images: `{api}/images?creator_username=…&fields=…&limit=…[&bbox=…]`.
    public func firstPageURL(user: String, quality: Quality, bbox: BoundingBox?, limit: Int = 2000) -> String {
        let size = min(max(limit, 1), Self.maximumPageSize)
        var url =
            apiBase + "/images?creator_username=" + URLQuery.encode(user)
            + "&fields=" + Self.fields(for: quality).joined(separator: ",")
            + "&limit=\(size)"
        if let bbox { url += "&bbox=" + bbox.queryValue }
        return url
    }

    /// Fetches one page of a listing (the first page's URL, or a `next` link saved earlier).
    ///
    /// When the API answers "Please reduce the amount of data", the same cursor is asked again with
    /// half the `limit` (down to ``minimumPageSize``); `limitUsed` tells the size that worked.
    /// Records with unsafe ids or sequences come back in `rejected`, not as an error.
    public func fetchPage(url: String) async throws -> ImagePage {
        let quality = Self.quality(ofPageURL: url)
        return try await fetchListing(url: url, refusal: "check the user name and --bbox") {
            body, elements, paging, limit in
            try ImagePage.build(body: body, elements: elements, paging: paging, quality: quality, limitUsed: limit)
        }
    }

    /// Fetches one page of any `/images` listing with the retries, page shrinking and origin checks of
    /// ``fetchPage(url:)``; `build` reads the scanned body, `refusal` ends the sentence of a refused request.
    func fetchListing<Page: ListingPage>(
        url: String, refusal: String,
        build: (_ body: [UInt8], _ elements: [Range<Int>], _ paging: JSONValue?, _ limitUsed: Int) throws -> Page
    ) async throws -> Page {
        try requireAPIOrigin(url, what: "page link")
        var current = url
        return try await retrying("listing images") {
            logger.debug("Mapillary page request", metadata: ["url": .string(URLQuery.redacted(current))])
            switch try await askAPI(current) {
            case .transient(let reason, let after):
                return .retry(reason, after: after)
            case .lessData(let summary):
                let limit = Self.limit(of: current)
                guard limit > Self.minimumPageSize else { return .retry(summary, after: nil) }
                let smaller = max(Self.minimumPageSize, limit / 2)
                logger.debug(
                    "Mapillary asked for less data; asking the same page again",
                    metadata: ["limit": "\(smaller)"])
                current = URLQuery.setting("limit", to: String(smaller), in: current)
                return .retryNow(summary)
            case .notFound(let summary), .refused(let summary):
                throw MapillaryError(
                    .requestRefused, "the Mapillary API refused to list images (\(summary)); \(refusal)")
            case .ok(let body, let bytes):
                guard case .collection(let elements, let paging) = body else {
                    throw MapillaryError(
                        .unexpectedResponse,
                        "the Mapillary API answered with JSON that is not a list of images (no \"data\"); check --api-url"
                    )
                }
                let page = try build(bytes, elements, paging, Self.limit(of: current))
                if let next = page.next { try requireAPIOrigin(next, what: "next-page link") }
                logger.debug(
                    "Mapillary page received",
                    metadata: page.logSummary.merging(["next": .string(page.next.map(URLQuery.redacted) ?? "none")]) {
                        $1
                    })
                return .done(page)
            }
        }
    }

    /// The `limit` of a page URL (the API's default, 2000, when absent or unreadable).
    static func limit(of url: String) -> Int {
        guard let text = URLQuery.value(of: "limit", in: url), let value = Int(text), value > 0 else {
            return maximumPageSize
        }
        return value
    }

    /// The quality whose thumbnail field the page URL asks for (`original` when none is named).
    static func quality(ofPageURL url: String) -> Quality {
        let fields = (URLQuery.value(of: "fields", in: url) ?? "").replacing("%2C", with: ",").replacing(
            "%2c", with: ",")
        for quality in Quality.allCases where fields.split(separator: ",").contains(Substring(quality.thumbField)) {
            return quality
        }
        return .original
    }

    static func tokenError(_ summary: String) -> MapillaryError {
        MapillaryError(
            .tokenRejected, "the Mapillary token was rejected (\(summary)); check --token or MAPILLARY_TOKEN")
    }

    /// Throws `foreignURL` unless `url` is on the API origin (the token is only ever sent there).
    func requireAPIOrigin(_ url: String, what: String) throws {
        guard let apiOrigin else { try Self.validate(apiBase: apiBase); return }
        guard let origin = URLOrigin(url) else {
            throw MapillaryError(
                .foreignURL,
                "the Mapillary \(what) \"\(MapillaryError.sanitized(URLQuery.redacted(url), limit: 100))\" is not an http(s) URL; refusing to follow it"
            )
        }
        guard origin == apiOrigin else {
            throw MapillaryError(
                .foreignURL,
                "the Mapillary \(what) points to \(origin), not the API at \(apiOrigin); refusing to send the token there"
            )
        }
    }
}
