import Foundation
import InternetArchive
import Packaging

/// One Mapillary item on IA as `stats` counts it: which tool made it, whose images at which quality, how many,
/// how large, in which collections and who uploaded it. Read from a scrape answer, kept in the stats cache.
public struct ArchivedItem: Sendable, Codable, Equatable {
    /// The tool that made the item.
    public enum Tool: String, Sendable, Codable {
        /// This archiver: the item carries `mapillary_archiver`.
        case archiver
        /// The Python tool: the item carries only `mapillary_downloader`.
        case downloader
    }

    public var identifier: String
    public var tool: Tool
    /// The Mapillary username; nil when neither the metadata nor the identifier names one.
    public var user: String?
    /// `original`, `2048`, `1024`, `256`, or `unknown`.
    public var quality: String
    public var webp: Bool
    /// From the description's "Contains N images"; 0 when it does not say.
    public var images: Int
    /// IA's `item_size`.
    public var bytes: Int64
    public var collections: [String]
    /// IA's `uploader` (an e-mail address); nil when IA did not say.
    public var uploader: String?

    public init(
        identifier: String, tool: Tool, user: String?, quality: String, webp: Bool, images: Int, bytes: Int64,
        collections: [String], uploader: String?
    ) {
        self.identifier = identifier
        self.tool = tool
        self.user = user
        self.quality = quality
        self.webp = webp
        self.images = images
        self.bytes = bytes
        self.collections = collections
        self.uploader = uploader
    }

    /// The collection both tools put items in; IA files an item elsewhere (`opensource`) when its uploader may not
    /// write to it.
    public static let mapillaryCollection = "mapillary-images"

    public var isInMapillaryCollection: Bool { collections.contains(Self.mapillaryCollection) }

    /// The item of a scrape answer; nil without an identifier.
    ///
    /// The user is `mapillary_user` (this archiver's templates), else the name in `source`
    /// (`https://www.mapillary.com/app/user/{user}`, written by both tools), else the name in the identifier
    /// (which may be mapped when IA refuses the real one), else `creator`. The quality and WebP come from the
    /// identifier `mapillary-{user}-{quality}[-webp]`, else from the description ("in 2048px resolution",
    /// "recompressed with WebP").
    public init?(_ item: ScrapedItem) {
        guard let identifier = item.first("identifier"), !identifier.isEmpty else { return nil }
        let parsed = IdentifierRule.parseMapillary(identifier)
        let description = item.values("description").joined(separator: "\n")
        self.identifier = identifier
        tool = item.values("mapillary_archiver").contains { !$0.isEmpty } ? .archiver : .downloader
        user =
            Self.nonEmpty(item.first("mapillary_user"))
            ?? item.values("source").lazy.compactMap(Self.sourceUser).first
            ?? parsed?.user ?? Self.nonEmpty(item.first("creator"))
        quality = parsed?.quality ?? Self.quality(in: description) ?? "unknown"
        webp = parsed?.webp ?? description.lowercased().contains("recompressed with webp")
        images = item.values("description").map(Self.imageCount).max() ?? 0
        bytes = max(0, item.first("item_size").flatMap { Int64($0) ?? Double($0).map { Int64($0) } } ?? 0)
        collections = Array(Set(item.values("collection").filter { !$0.isEmpty })).sorted()
        uploader = Self.nonEmpty(item.first("uploader"))
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

    /// `original` from "in original resolution", `2048` from "in 2048px resolution" (both tools' descriptions).
    static func quality(in description: String) -> String? {
        if description.contains("in original resolution") { return "original" }
        return IdentifierRule.qualities.first { description.contains("in \($0)px resolution") }
    }

    /// The user of `https://www.mapillary.com/app/user/{user}`.
    static func sourceUser(_ source: String) -> String? {
        guard let range = source.range(of: "mapillary.com/app/user/") else { return nil }
        return nonEmpty(String(source[range.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }))
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}
