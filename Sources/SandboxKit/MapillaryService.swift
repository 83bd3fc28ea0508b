import Foundation
import HTTPServerKit
import Synchronization

/// The state and request handlers behind the fake Graph API and CDN. Handlers run on the servers'
/// connection threads; everything here is immutable or lock-protected.
final class MapillaryService: Sendable {
    let configuration: SandboxConfiguration
    let token: String
    let dataset: SandboxDataset
    let store: ImageStore
    let cursors: GraphCursor
    let signer: CDNURLSigner
    let clock = SandboxClock()
    let counters = SandboxCounterSet()
    let log = SandboxRequestLog()
    let apiFaults: FaultInjector
    /// Graph API requests past the token check, for ``SandboxConfiguration/rateLimitEvery``.
    let admittedRequests = Atomic<Int>(0)
    let cdnFaults: FaultInjector
    /// State of the hostile user kinds (trickle rate, what was sent).
    let misbehaviour: SandboxMisbehaviour
    /// Base URLs, set once the servers listen (the API's is where `paging.next` points).
    let apiBase = Mutex<String>("")
    let cdnBase = Mutex<String>("")

    /// Fields `/images` and `/{id}` know; requesting any other one is a 400.
    static let knownFields: Set<String> = [
        "id", "altitude", "atomic_scale", "camera_parameters", "camera_type", "captured_at", "compass_angle",
        "computed_altitude", "computed_compass_angle", "computed_geometry", "computed_rotation", "creator",
        "exif_orientation", "geometry", "height", "is_pano", "make", "model", "merge_cc", "mesh", "quality_score",
        "sequence", "sfm_cluster", "thumb_256_url", "thumb_1024_url", "thumb_2048_url", "thumb_original_url",
        "width", "detections", "organization",
    ]

    init(configuration: SandboxConfiguration, dataDirectory: String) throws {
        try Self.validate(configuration)
        self.configuration = configuration
        self.token = configuration.effectiveToken
        self.dataset = SandboxDataset(configuration: configuration)
        self.store = try ImageStore(directory: dataDirectory + "/images", configuration: configuration)
        self.cursors = GraphCursor(seed: configuration.seed)
        self.signer = CDNURLSigner(seed: configuration.seed)
        self.apiFaults = FaultInjector(
            seed: configuration.seed, faultRate: configuration.faultRate,
            ratePerSecond: configuration.rateLimit, purpose: "api")
        self.cdnFaults = FaultInjector(
            seed: configuration.seed, faultRate: configuration.faultRate,
            ratePerSecond: nil, purpose: "cdn")
        self.misbehaviour = SandboxMisbehaviour(trickleRate: configuration.cdnTrickleRate)
    }

    static func validate(_ c: SandboxConfiguration) throws {
        func bad(_ sentence: String) -> SandboxError { SandboxError(.invalidConfiguration, sentence) }
        var names: Set<String> = []
        for user in c.users {
            guard !user.name.isEmpty, !user.name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            else {
                throw bad("a sandbox user name is empty or holds control characters; give every user a plain name")
            }
            guard names.insert(user.name).inserted else {
                throw bad("the sandbox user \(user.name) is listed twice; give each user once")
            }
        }
        guard (0...1).contains(c.faultRate) else { throw bad("the fault rate \(c.faultRate) is not between 0 and 1") }
        if let every = c.rateLimitEvery, every < 1 {
            throw bad("the rate-limit period \(every) is not a whole number of 1 or more")
        }
        if let rate = c.rateLimit, !(rate > 0) {
            throw bad("the rate limit \(rate) is not a positive number of requests per second")
        }
        if let max = c.maxRecordsPerResponse, max < 1 {
            throw bad("the maximum records per response \(max) is not positive")
        }
        if let cap = c.bboxCap, cap < 1 { throw bad("the bbox cap \(cap) is not positive") }
        for area in c.areas where area.creators < 1 || area.images < area.creators {
            throw bad(
                "a sandbox area has \(area.creators) creators and \(area.images) images; give at least one creator and one image per creator"
            )
        }
        guard (1...16384).contains(c.originalSize.width), (1...16384).contains(c.originalSize.height) else {
            throw bad("the original image size \(c.originalSize) is not within 1…16384 pixels per side")
        }
        guard c.cdnTrickleRate >= 0 else {
            throw bad("the CDN trickle rate \(c.cdnTrickleRate) is negative; give 0 or more bytes per second")
        }
        guard c.urlLifetime >= .zero else { throw bad("the URL lifetime is negative; give 0 or more seconds") }
        guard (0...65533).contains(c.port) else { throw bad("the port \(c.port) is not within 0…65533") }
    }

    // MARK: shared answers

    func sendJSON(_ response: ServerResponse, status: Int, _ body: [UInt8]) {
        let body = status >= 400 && configuration.echoTokenInErrors ? echoingToken(body, for: response.request) : body
        response.send(status: status, headers: [("Content-Type", "application/json; charset=UTF-8")], body: body)
    }

    func sendText(_ response: ServerResponse, status: Int, _ text: String) {
        response.send(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }

    /// Answers with an injected fault: a reset, a Graph-style 500, or an HTML 502/503 from a proxy.
    func inject(_ fault: FaultInjector.Fault, into response: ServerResponse, graph: Bool) {
        switch fault {
        case .reset:
            counters.increment(.injectedResets)
            response.resetConnection()
        case .status(let status):
            counters.increment(.injected5xx)
            if graph && status == 500 {
                sendJSON(
                    response, status: 500,
                    GraphJSON.error(
                        message: "An unexpected error has occurred. Please retry your request later.",
                        code: 2, isTransient: true))
            } else {
                let reason =
                    status == 502 ? "Bad Gateway" : status == 503 ? "Service Unavailable" : "Internal Server Error"
                response.send(
                    status: status, headers: [("Content-Type", "text/html; charset=utf-8")],
                    body: Array("<html><body><h1>\(status) \(reason)</h1></body></html>\n".utf8))
            }
        }
    }

    func record(_ request: ServerRequest, origin: LoggedRequest.Origin) {
        log.append(
            LoggedRequest(
                origin: origin, method: request.method, target: request.target, path: request.path,
                query: request.query, headers: request.headers))
    }

    /// Seconds a freshly minted CDN URL stays valid: the configured lifetime for listings, at least
    /// a minute for `/{id}` lookups (so a refresh can always be used).
    func urlLifetimeSeconds(forLookup: Bool) -> Int64 {
        let seconds = configuration.urlLifetime.components.seconds
        return forLookup ? max(seconds, 60) : seconds
    }

    /// A signed CDN URL for `image` at `quality`, valid from now for `lifetime` seconds.
    func thumbURL(for image: SandboxImage, quality: SandboxQuality, lifetime: Int64) -> String {
        signer.url(
            base: cdnBase.withLock { $0 }, id: image.id, quality: quality,
            size: ImageStore.size(of: image, quality: quality), expires: clock.now + lifetime)
    }
}
