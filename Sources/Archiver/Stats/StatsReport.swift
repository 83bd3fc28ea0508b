import Foundation

/// What `stats` prints: the Mapillary items on IA made by this tool and by the Python tool, in total, per
/// collection and per quality, with unique images and their share of Mapillary, and the items outside the
/// `mapillary-images` collection by uploader, and with `--queue` the campaign queue's own progress. Its JSON form
/// (`json()`) is the documented `--json` shape.
public struct StatsReport: Sendable, Encodable, Equatable {
    /// The counts of a group of items (one collection, one quality, or all).
    public struct Tally: Sendable, Codable, Equatable {
        public var name: String
        public var items = 0
        /// Items made by this tool (`mapillary_archiver`).
        public var archiverItems = 0
        /// Items made by the Python tool (only `mapillary_downloader`).
        public var downloaderItems = 0
        /// Every item's image count, summed.
        public var images = 0
        /// Per user, the largest image count of the group's items (any quality, WebP or not), summed; an item
        /// without a user counts on its own.
        public var uniqueImages = 0
        /// `uniqueImages` divided by Mapillary's total (0…1).
        public var shareOfMapillary = 0.0
        /// Sum of `item_size`.
        public var bytes: Int64 = 0
        /// Mapillary users covered, sorted.
        public var users: [String] = []

        public init(name: String, items group: [ArchivedItem], mapillaryTotal: Int64) {
            self.name = name
            items = group.count
            archiverItems = group.count { $0.tool == .archiver }
            downloaderItems = items - archiverItems
            var largest: [String: Int] = [:]
            for item in group {
                images += item.images
                bytes += item.bytes
                if let user = item.user {
                    largest[user] = max(largest[user] ?? 0, item.images)
                } else {
                    uniqueImages += item.images
                }
            }
            uniqueImages += largest.values.reduce(0, +)
            shareOfMapillary = mapillaryTotal > 0 ? Double(uniqueImages) / Double(mapillaryTotal) : 0
            users = largest.keys.sorted()
        }

        enum CodingKeys: String, CodingKey {
            case name, items, images, bytes, users
            case archiverItems = "archiver_items"
            case downloaderItems = "downloader_items"
            case uniqueImages = "unique_images"
            case shareOfMapillary = "share_of_mapillary"
        }
    }

    /// The items of one uploader that are outside the `mapillary-images` collection.
    public struct UploaderItems: Sendable, Codable, Equatable {
        /// IA's `uploader`, or `unknown`.
        public var uploader: String
        /// Their identifiers, sorted.
        public var items: [String]
        public var images: Int
        public var bytes: Int64
    }

    /// When IA was asked (seconds since 1970).
    public var fetchedAt: Int64
    /// True when the items came from the cache file rather than from IA just now.
    public var fromCache: Bool
    public var mapillaryTotal: MapillaryTotal
    /// Every item once.
    public var total: Tally
    /// Per collection, sorted by name (`(none)` for items without one); an item in several collections counts in
    /// each.
    public var collections: [Tally]
    /// Per quality: `original`, `2048`, `1024`, `256`, then `unknown`; WebP and JPEG items of a quality together.
    public var qualities: [Tally]
    /// Items outside `mapillary-images`, per uploader: most items first.
    public var outsideMapillaryImages: [UploaderItems]
    /// The campaign queue's view (`stats --queue`); nil (and no JSON key) without one.
    public var campaignQueue: CampaignProgress?

    public init(
        items all: [ArchivedItem], fetchedAt: Int64, fromCache: Bool = false,
        mapillaryTotal: MapillaryTotal = .documented, campaignQueue: CampaignProgress? = nil
    ) {
        var seen: Set<String> = []
        let items = all.filter { seen.insert($0.identifier).inserted }
        let denominator = mapillaryTotal.images
        self.fetchedAt = fetchedAt
        self.fromCache = fromCache
        self.mapillaryTotal = mapillaryTotal
        self.campaignQueue = campaignQueue
        total = Tally(name: "total", items: items, mapillaryTotal: denominator)
        var byCollection: [String: [ArchivedItem]] = [:]
        for item in items {
            for collection in item.collections.isEmpty ? ["(none)"] : item.collections {
                byCollection[collection, default: []].append(item)
            }
        }
        collections = byCollection.keys.sorted().map {
            Tally(name: $0, items: byCollection[$0] ?? [], mapillaryTotal: denominator)
        }
        let byQuality = Dictionary(grouping: items, by: \.quality)
        let order = ["original", "2048", "1024", "256"]
        func rank(_ quality: String) -> (Int, String) { (order.firstIndex(of: quality) ?? order.count, quality) }
        qualities = byQuality.keys.sorted { rank($0) < rank($1) }
            .map { Tally(name: $0, items: byQuality[$0] ?? [], mapillaryTotal: denominator) }
        let outside = Dictionary(grouping: items.filter { !$0.isInMapillaryCollection }) { $0.uploader ?? "unknown" }
        outsideMapillaryImages = outside.map { uploader, items in
            UploaderItems(
                uploader: uploader, items: items.map(\.identifier).sorted(),
                images: items.reduce(0) { $0 + $1.images }, bytes: items.reduce(0) { $0 + $1.bytes })
        }.sorted { ($1.items.count, $0.uploader) < ($0.items.count, $1.uploader) }
    }

    enum CodingKeys: String, CodingKey {
        case fetchedAt = "fetched_at"
        case fromCache = "from_cache"
        case mapillaryTotal = "mapillary_total"
        case outsideMapillaryImages = "outside_mapillary_images"
        case campaignQueue = "campaign_queue"
        case total, collections, qualities
    }

    /// Pretty-printed JSON with sorted keys, for scripts (the shape docs/user-guide.md documents).
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
