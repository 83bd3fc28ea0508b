import Foundation
import HTTPServerKit
import Synchronization

/// The Mapillary half of the sandbox: a fake Graph API (`/images`, `/{id}`) and a fake CDN with
/// signed, expiring URLs, on two loopback ports; plus what tests need to check a client against it.
public final class MapillarySandbox: Sendable {
    let service: MapillaryService
    /// The running servers; nil once stopped. Dropping the last reference stops a server exactly
    /// once (its deinit), so `stop()` releases them instead of calling `HTTPServer.stop()` as well.
    private let servers: Mutex<(api: HTTPServer, cdn: HTTPServer)?>
    /// The Graph API root (`MAPILLARY_API_URL`), e.g. `http://127.0.0.1:8080`.
    public let apiURL: String
    /// The CDN root; thumbnail URLs point here.
    public let cdnURL: String

    /// Starts both servers: API on `configuration.port(offset: 0)`, CDN on `port(offset: 1)`.
    public init(configuration: SandboxConfiguration, dataDirectory: String) throws {
        let service = try MapillaryService(configuration: configuration, dataDirectory: dataDirectory)
        let cdn = try HTTPServer(host: configuration.host, port: configuration.port(offset: 1)) { request, response in
            service.handleCDN(request, response)
        }
        let api: HTTPServer
        do {
            api = try HTTPServer(host: configuration.host, port: configuration.port(offset: 0)) { request, response in
                service.handleAPI(request, response)
            }
        } catch {
            cdn.stop()
            throw error
        }
        service.cdnBase.withLock { $0 = cdn.baseURL }
        service.apiBase.withLock { $0 = api.baseURL }
        self.service = service
        self.apiURL = api.baseURL
        self.cdnURL = cdn.baseURL
        self.servers = Mutex((api, cdn))
    }
    /// The token the API accepts.
    public var token: String { service.token }
    public var configuration: SandboxConfiguration { service.configuration }

    /// Stops both servers (closing their connections and joining their threads). Safe to call more than once.
    public func stop() {
        let running = servers.withLock { servers in
            defer { servers = nil }
            return servers
        }
        withExtendedLifetime(running) {}
    }

    // MARK: for tests

    /// User names in configuration order.
    public var users: [String] { service.dataset.userNames }

    /// The user's images in listing order, hostile ones included (see ``SandboxImage/isArchivable``).
    public func expectedImages(user: String) -> [SandboxImage] {
        service.dataset.images[user] ?? []
    }

    /// How many images each user has inside `region` (edges included): what an area survey must find.
    public func creatorCounts(in region: SandboxConfiguration.Region) -> [String: Int] {
        var counts: [String: Int] = [:]
        for (user, images) in service.dataset.images {
            let inside = images.filter { region.contains(longitude: $0.longitude, latitude: $0.latitude) }.count
            if inside > 0 { counts[user] = inside }
        }
        return counts
    }

    /// The image with this id, whoever owns it.
    public func image(id: String) -> SandboxImage? {
        service.dataset.image(id: id)
    }

    /// Exactly the bytes the CDN serves for `id` at `quality`.
    public func imageBytes(id: String, quality: SandboxQuality) throws -> [UInt8] {
        guard let image = service.dataset.image(id: id) else {
            throw SandboxError(.unknownImage, "the sandbox has no image \(id); use an id from expectedImages(user:)")
        }
        return try service.store.bytes(for: image, quality: quality, kind: service.dataset.kinds[image.user] ?? .normal)
    }

    /// The EXIF block the image's camera wrote into its synthetic JPEG at `quality` (before any
    /// archiver touched it). Real JPEGs from `imagesFrom` carry their own EXIF instead.
    public func cameraEXIF(id: String, quality: SandboxQuality) -> CameraEXIF? {
        service.dataset.image(id: id).map {
            ImageStore.cameraEXIF(
                for: $0, seed: service.configuration.seed, size: ImageStore.size(of: $0, quality: quality))
        }
    }

    /// A freshly signed CDN URL for `id`, as a listing would give it now.
    public func thumbURL(id: String, quality: SandboxQuality) -> String? {
        service.dataset.image(id: id).map {
            service.thumbURL(for: $0, quality: quality, lifetime: service.urlLifetimeSeconds(forLookup: false))
        }
    }

    /// Makes every URL minted so far expired, by moving the sandbox clock past their lifetime.
    public func expireAllURLs() {
        service.clock.advance(by: .seconds(service.urlLifetimeSeconds(forLookup: true) + 1))
    }

    /// Moves the sandbox clock (URL expiry only).
    public func advanceClock(by duration: Duration) {
        service.clock.advance(by: duration)
    }

    /// Requests seen and faults injected so far.
    public var counters: SandboxCounters { service.counters.snapshot() }

    /// The most recent requests (at least the last 10,000), oldest first.
    public func requestLog() -> [LoggedRequest] { service.log.all() }

    public func clearRequestLog() { service.log.clear() }

    /// Generates (and caches) every image of `user` at `quality` ahead of time, on all cores;
    /// returns how many and their total size. For benchmarks, so serving costs only a file send.
    @discardableResult
    public func pregenerate(user: String, quality: SandboxQuality) throws -> (images: Int, bytes: Int64) {
        let images = expectedImages(user: user).filter { $0.hostility != .missingRendition }
        let kind = service.dataset.kinds[user] ?? .normal
        let outcome = Mutex<(bytes: Int64, error: (any Error)?)>((0, nil))
        DispatchQueue.concurrentPerform(iterations: images.count) { i in
            do {
                let path = try service.store.path(for: images[i], quality: quality, kind: kind)
                var info = stat()
                let size = stat(path, &info) == 0 ? Int64(info.st_size) : 0
                outcome.withLock { $0.bytes += size }
            } catch {
                outcome.withLock { $0.error = $0.error ?? error }
            }
        }
        let (total, failure) = outcome.withLock { ($0.bytes, $0.error) }
        if let failure { throw failure }
        return (images.count, total)
    }

    /// Lines for the sandbox banner.
    var bannerLines: [String] {
        let c = service.configuration
        var lines = [
            "  Graph API  \(apiURL)",
            "  CDN        \(cdnURL)   (signed URLs live \(Self.describe(c.urlLifetime)))",
            "  token      \(token)",
        ]
        let users = c.users.map(\.name).filter { service.dataset.images[$0] != nil }.map { name -> String in
            let kind = service.dataset.kinds[name] ?? .normal
            let count = service.dataset.images[name]?.count ?? 0
            return "\(name) (\(count) images" + (kind == .normal ? ")" : ", \(kind.rawValue))")
        }
        lines.append("  users      " + (users.isEmpty ? "none" : users.joined(separator: ", ")))
        var areaUsers = service.dataset.userNames.dropFirst(users.count)[...]
        for area in c.areas {
            let names = areaUsers.prefix(area.creators)
            areaUsers = areaUsers.dropFirst(area.creators)
            let r = area.region
            lines.append(
                "  area       \(r.west),\(r.south),\(r.east),\(r.north): \(area.images) images by \(area.creators) "
                    + "creators (\(names.first ?? "")…\(names.last ?? ""))")
        }
        var faults: [String] = []
        if c.faultRate > 0 { faults.append("\(Int((c.faultRate * 100).rounded()))% of requests fail (5xx or reset)") }
        if let rate = c.rateLimit { faults.append("\(rate) API requests/s") }
        if let max = c.maxRecordsPerResponse { faults.append("at most \(max) records per page") }
        if let cap = c.bboxCap { faults.append("area queries stop at \(cap) records, without paging") }
        if c.apiLatency > .zero || c.cdnLatency > .zero {
            faults.append("latency API \(Self.describe(c.apiLatency)), CDN \(Self.describe(c.cdnLatency))")
        }
        faults += misbehaviourFaults
        lines.append("  faults     " + (faults.isEmpty ? "none" : faults.joined(separator: "; ")))
        return lines
    }

    static func describe(_ d: Duration) -> String {
        let (s, atto) = d.components
        if s == 0 { return "\(atto / 1_000_000_000_000_000)ms" }
        if s % 86_400 == 0 { return "\(s / 86_400)d" }
        if s % 3600 == 0 { return "\(s / 3600)h" }
        return "\(s)s"
    }
}
