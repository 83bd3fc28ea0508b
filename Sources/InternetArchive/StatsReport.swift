import Essentials
import Foundation

/// Items archived by this tool and by the Python tool on IA: per collection and in total.
public struct StatsReport: Sendable, Codable, Equatable {
    /// The counts of one collection (or of everything).
    public struct Tally: Sendable, Codable, Equatable {
        public var name: String
        public var items = 0
        /// Items carrying `mapillary_archiver` (made by this tool).
        public var archiverItems = 0
        /// Items carrying only `mapillary_downloader` (made by the Python tool).
        public var downloaderItems = 0
        /// Images, from descriptions saying "Contains N images".
        public var images = 0
        /// Sum of `item_size`.
        public var bytes: Int64 = 0
        /// Mapillary users covered, sorted.
        public var users: [String] = []

        public init(name: String) {
            self.name = name
        }

        enum CodingKeys: String, CodingKey {
            case name, items, images, bytes, users
            case archiverItems = "archiver_items"
            case downloaderItems = "downloader_items"
        }
    }

    /// When IA was asked (seconds since 1970).
    public var fetchedAt: Int64
    /// Per collection, sorted by name; an item in several collections counts in each.
    public var collections: [Tally]
    /// Every item once.
    public var total: Tally
    /// True when this report came from the cache file rather than from IA just now.
    public var fromCache = false

    public init(fetchedAt: Int64, collections: [Tally], total: Tally) {
        self.fetchedAt = fetchedAt
        self.collections = collections
        self.total = total
    }

    enum CodingKeys: String, CodingKey {
        case fetchedAt = "fetched_at"
        case collections, total
    }

    /// Pretty-printed JSON with sorted keys, for scripts (`fetched_at`, `collections`, `total`).
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// A plain table: one row per collection and a total row, then when the numbers were fetched.
    public func table() -> String {
        let header = ["collection", "items", "archiver", "downloader", "images", "size", "users"]
        var rows = [header]
        for tally in collections + [total] {
            rows.append([tally.name, ByteFormat.grouped(tally.items), ByteFormat.grouped(tally.archiverItems),
                         ByteFormat.grouped(tally.downloaderItems), ByteFormat.grouped(tally.images),
                         ByteFormat.size(tally.bytes), ByteFormat.grouped(tally.users.count)])
        }
        let widths = (0..<header.count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.enumerated().map { column, text in
                let pad = String(repeating: " ", count: widths[column] - text.count)
                return column == 0 ? text + pad : pad + text
            }.joined(separator: "  ")
        }
        lines.insert(String(repeating: "-", count: lines[0].count), at: 1)
        lines.insert(String(repeating: "-", count: lines[0].count), at: lines.count - 1)
        let when = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(fetchedAt)))
        lines.append((fromCache ? "cached; fetched from IA at " : "fetched from IA at ") + when)
        return lines.joined(separator: "\n")
    }
}
