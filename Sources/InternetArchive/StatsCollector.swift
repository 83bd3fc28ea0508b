import Essentials
import Foundation
import HTTPClient
import Logging
import Packaging

/// Counts the Mapillary items on IA made by this tool (`mapillary_archiver`) and by the Python tool
/// (`mapillary_downloader`), through the scrape API, with a JSON cache file.
public struct StatsCollector: Sendable {
    public static let query = "mapillary_archiver:* OR mapillary_downloader:*"
    public static let fields = ["identifier", "description", "item_size", "collection", "mapillary_archiver",
                                "mapillary_downloader", "creator", "mapillary_user"]

    let scrape: ScrapeClient
    let cachePath: String?
    let maxAge: Duration
    let logger: Logger

    /// `cachePath` (nil: no cache) holds the last report; it is used while younger than `maxAge`, and also when
    /// IA cannot be reached (then marked as cached, with its age shown).
    public init(http: HTTPClient, endpoints: IAEndpoints = IAEndpoints(), cachePath: String? = nil,
                maxAge: Duration = .seconds(3600), pageSize: Int = 1000,
                retry: RetryPolicy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(20)),
                logger: Logger = Logger(label: "InternetArchive")) {
        self.scrape = ScrapeClient(http: http, endpoints: endpoints, retry: retry, pageSize: pageSize)
        self.cachePath = cachePath
        self.maxAge = maxAge
        self.logger = logger
    }

    /// The report: from the cache when fresh (unless `refresh`), else from IA (then cached).
    public func collect(refresh: Bool = false, now: Date = Date()) async throws -> StatsReport {
        let cached = readCache()
        let nowSeconds = Int64(now.timeIntervalSince1970)
        if !refresh, var cached, nowSeconds - cached.fetchedAt <= maxAge.components.seconds,
           nowSeconds >= cached.fetchedAt {
            cached.fromCache = true
            return cached
        }
        let items: [ScrapedItem]
        do {
            items = try await scrape.items(query: Self.query, fields: Self.fields)
        } catch let error as InternetArchiveError where error.code != .cancelled {
            guard var cached else { throw error }
            logger.warning("\(error); showing the stats cached at \(cached.fetchedAt)")
            cached.fromCache = true
            return cached
        }
        let report = Self.tally(items, fetchedAt: nowSeconds)
        writeCache(report)
        return report
    }

    /// Counts `items` per collection and in total.
    public static func tally(_ items: [ScrapedItem], fetchedAt: Int64) -> StatsReport {
        var total = StatsReport.Tally(name: "total")
        var byCollection: [String: StatsReport.Tally] = [:]
        var totalUsers: Set<String> = []
        var collectionUsers: [String: Set<String>] = [:]
        var seen: Set<String> = []
        for item in items {
            let identifier = item.first("identifier") ?? ""
            if !identifier.isEmpty && !seen.insert(identifier).inserted { continue }
            let archiver = !item.values("mapillary_archiver").allSatisfy(\.isEmpty)
            let images = item.values("description").map(imageCount).max() ?? 0
            let bytes = item.first("item_size").flatMap { Int64($0) ?? Double($0).map { Int64($0) } } ?? 0
            let user = userName(of: item, identifier: identifier)
            func add(_ tally: inout StatsReport.Tally) {
                tally.items += 1
                if archiver { tally.archiverItems += 1 } else { tally.downloaderItems += 1 }
                tally.images += images
                tally.bytes += max(0, bytes)
            }
            add(&total)
            if let user { totalUsers.insert(user) }
            let collections = Set(item.values("collection").filter { !$0.isEmpty })
            for collection in collections.isEmpty ? ["(none)"] : Array(collections) {
                add(&byCollection[collection, default: StatsReport.Tally(name: collection)])
                if let user { collectionUsers[collection, default: []].insert(user) }
            }
        }
        total.users = totalUsers.sorted()
        let collections = byCollection.values.map { tally -> StatsReport.Tally in
            var tally = tally
            tally.users = (collectionUsers[tally.name] ?? []).sorted()
            return tally
        }.sorted { $0.name < $1.name }
        return StatsReport(fetchedAt: fetchedAt, collections: collections, total: total)
    }

    /// N from "Contains N images" / "Contains 1,234 images" / "Contains 1 image"; 0 when absent.
    static func imageCount(in description: String) -> Int {
        var best = 0
        var rest = Substring(description)
        while let range = rest.range(of: "Contains ", options: .caseInsensitive) {
            let after = rest[range.upperBound...]
            let number = after.prefix { $0.isASCII && ($0.isNumber || $0 == ",") }
            let tail = after.dropFirst(number.count)
            if !number.isEmpty, tail.lowercased().hasPrefix(" image"), let value = Int(number.filter { $0 != "," }) {
                best = max(best, value)
            }
            rest = after
        }
        return best
    }

    /// The Mapillary user of an item: `mapillary_user`, else the user in `mapillary-{user}-{quality}[-webp]`,
    /// else `creator`.
    static func userName(of item: ScrapedItem, identifier: String) -> String? {
        if let user = item.first("mapillary_user"), !user.isEmpty { return user }
        if let parsed = IdentifierRule.parseMapillary(identifier) { return parsed.user }
        if let creator = item.first("creator"), !creator.isEmpty { return creator }
        return nil
    }

    private func readCache() -> StatsReport? {
        guard let cachePath, let data = FileManager.default.contents(atPath: cachePath) else { return nil }
        return try? JSONDecoder().decode(StatsReport.self, from: data)
    }

    /// Saves the report; a cache that cannot be written only costs a warning.
    private func writeCache(_ report: StatsReport) {
        guard let cachePath else { return }
        do {
            try DurableFile.makeDirectories(DurableFile.parentDirectory(of: cachePath))
            try DurableFile.write(Array(report.json().utf8), to: cachePath)
        } catch {
            logger.warning("the stats cache \(cachePath) cannot be written (\(error)); check the folder's permissions")
        }
    }
}
