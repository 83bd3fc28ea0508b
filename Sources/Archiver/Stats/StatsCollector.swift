import Essentials
import Foundation
import HTTPClientKit
import InternetArchive
import Logging

/// Finds the Mapillary items on IA made by this tool (`mapillary_archiver`) and by the Python tool
/// (`mapillary_downloader`) through the scrape API, and keeps them in a JSON cache file (`.stats.json`).
///
/// It lives in `Archiver` because it knows both sides: the scrape API (InternetArchive) and what makes an item a
/// Mapillary one (the keys, the identifier rule, the descriptions).
public struct StatsCollector: Sendable {
    public static let query = "mapillary_archiver:* OR mapillary_downloader:*"
    public static let fields = [
        "identifier", "description", "item_size", "collection", "mapillary_archiver",
        "mapillary_downloader", "mapillary_user", "source", "creator", "uploader",
    ]

    /// The items found and when.
    public struct Snapshot: Sendable, Equatable {
        public var fetchedAt: Int64
        public var items: [ArchivedItem]
        /// True when they came from the cache file rather than from IA just now.
        public var fromCache: Bool
    }

    let scrape: ScrapeClient
    let metadata: ArchiveMetadataClient
    let cachePath: String?
    let maxAge: Duration
    let logger: Logger

    /// `cachePath` (nil: no cache) holds the last items found; they are used while younger than `maxAge`, and also
    /// when IA cannot be reached (then marked as cached).
    public init(
        http: HTTPClient, endpoints: IAEndpoints = IAEndpoints(), cachePath: String? = nil,
        maxAge: Duration = .seconds(3600), pageSize: Int = 10_000,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(20)),
        logger: Logger = Logger(label: "stats")
    ) {
        scrape = ScrapeClient(http: http, endpoints: endpoints, retry: retry, pageSize: pageSize)
        metadata = ArchiveMetadataClient(http: http, endpoints: endpoints, retry: retry)
        self.cachePath = cachePath
        self.maxAge = maxAge
        self.logger = logger
    }

    /// The items: from the cache when fresh (unless `refresh`), else from IA (then cached).
    public func collect(refresh: Bool = false, now: Date = Date()) async throws -> Snapshot {
        let cached = readCache()
        let nowSeconds = Int64(now.timeIntervalSince1970)
        if !refresh, var cached, nowSeconds >= cached.fetchedAt,
            nowSeconds - cached.fetchedAt <= maxAge.components.seconds
        {
            cached.fromCache = true
            return cached
        }
        var items: [ArchivedItem]
        do {
            let logger = self.logger
            items = try await scrape.items(query: Self.query, fields: Self.fields) { page in
                let total = page.total.map(String.init) ?? "?"
                logger.debug("scrape page \(page.page): \(page.itemsSoFar) of \(total) items")
            }.compactMap(ArchivedItem.init)
        } catch let error as InternetArchiveError where error.code != .cancelled {
            guard var cached else { throw error }
            let when = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(cached.fetchedAt)))
            logger.warning("\(error); showing the stats cached at \(when)")
            cached.fromCache = true
            return cached
        }
        try await addUploaders(to: &items, known: cached?.items ?? [])
        let snapshot = Snapshot(fetchedAt: nowSeconds, items: items, fromCache: false)
        writeCache(snapshot)
        return snapshot
    }

    /// Items outside `mapillary-images` are listed by uploader. When the scrape answer did not say who uploaded one,
    /// the last cache's answer is used (an uploader never changes), else the metadata API is asked (as the Python
    /// tool does for every such item), 8 items at a time. An uploader that cannot be read stays unknown.
    func addUploaders(to items: inout [ArchivedItem], known: [ArchivedItem]) async throws {
        let earlier = Dictionary(known.compactMap { item in item.uploader.map { (item.identifier, $0) } }) { a, _ in a }
        var missing: [Int] = []
        for index in items.indices where items[index].uploader == nil && !items[index].isInMapillaryCollection {
            items[index].uploader = earlier[items[index].identifier]
            if items[index].uploader == nil { missing.append(index) }
        }
        guard !missing.isEmpty else { return }
        let metadata = self.metadata
        let identifiers = missing.map { items[$0].identifier }
        var found: [Int: String] = [:]
        var failures: [String] = []
        try await withThrowingTaskGroup(of: (Int, Result<String?, any Error>).self) { group in
            var next = identifiers.indices.makeIterator()
            func startNext() {
                guard let position = next.next() else { return }
                group.addTask {
                    do {
                        let uploader = try await metadata.values(of: "uploader", in: identifiers[position]).first
                        return (position, .success(uploader))
                    } catch {
                        return (position, .failure(error))
                    }
                }
            }
            for _ in 0..<8 { startNext() }
            while let (position, result) = try await group.next() {
                try Task.checkCancellation()
                switch result {
                case .success(let uploader): found[position] = uploader
                case .failure(let error): failures.append("\(error)")
                }
                startNext()
            }
        }
        for (position, uploader) in found { items[missing[position]].uploader = uploader }
        if let first = failures.first {
            logger.warning(
                "the uploader of \(failures.count) items outside mapillary-images could not be read (\(first)); they are listed as unknown"
            )
        }
    }

    /// The cache file's shape (`version` 2; the report-shaped cache of earlier versions is not read).
    struct CacheFile: Codable {
        var version = 2
        var fetchedAt: Int64
        var items: [ArchivedItem]

        enum CodingKeys: String, CodingKey {
            case version, items
            case fetchedAt = "fetched_at"
        }
    }

    private func readCache() -> Snapshot? {
        guard let cachePath, let data = FileManager.default.contents(atPath: cachePath),
            let file = try? JSONDecoder().decode(CacheFile.self, from: data), file.version == 2
        else { return nil }
        return Snapshot(fetchedAt: file.fetchedAt, items: file.items, fromCache: true)
    }

    /// Saves the items; a cache that cannot be written only costs a warning.
    private func writeCache(_ snapshot: Snapshot) {
        guard let cachePath else { return }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(CacheFile(fetchedAt: snapshot.fetchedAt, items: snapshot.items))
            try DurableFile.makeDirectories(DurableFile.parentDirectory(of: cachePath))
            try DurableFile.write(Array(data), to: cachePath)
        } catch {
            logger.warning("the stats cache \(cachePath) cannot be written (\(error)); check the folder's permissions")
        }
    }
}
