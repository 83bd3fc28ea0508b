import Essentials

/// The facts a template is rendered with. A fact left nil is unknown: a template value that uses
/// it is left out of the item's metadata rather than rendered with a blank.
public struct ItemFacts: Sendable, Equatable {
    /// The Mapillary username (the real one, even when the identifier had to map it).
    public var user: String?
    /// The IA identifier (the item folder's name).
    public var identifier: String
    /// `256`, `1024`, `2048` or `original`.
    public var quality: String?
    /// True when images were recompressed with WebP.
    public var webp: Bool
    /// True when images are stored in per-date tars.
    public var tarred: Bool
    /// The number of images actually in the item.
    public var imageCount: Int?
    /// The first and last capture dates, UTC `YYYY-MM-DD`.
    public var firstDate: String?
    public var lastDate: String?
    public var version: String
    public var homepage: String

    public init(
        identifier: String, user: String? = nil, quality: String? = nil, webp: Bool = false,
        tarred: Bool = false, imageCount: Int? = nil, firstDate: String? = nil, lastDate: String? = nil,
        version: String = ToolVersion.current, homepage: String = ToolVersion.homepage
    ) {
        self.identifier = identifier
        self.user = user
        self.quality = quality
        self.webp = webp
        self.tarred = tarred
        self.imageCount = imageCount
        self.firstDate = firstDate
        self.lastDate = lastDate
        self.version = version
        self.homepage = homepage
    }

    /// The placeholder names templates may use.
    public static let placeholders: Set<String> = [
        "user", "identifier", "quality", "resolution", "image_count", "first_date", "last_date",
        "tar_note", "webp_note", "version", "homepage",
    ]

    /// The text for `placeholder`, or nil when the fact is unknown (or the name is not a placeholder).
    public func value(of placeholder: String) -> String? {
        switch placeholder {
        case "user": return user
        case "identifier": return identifier
        case "quality": return quality
        case "resolution": return quality.map { $0 == "original" ? "original resolution" : "\($0)px resolution" }
        case "image_count": return imageCount.map(ByteFormat.grouped)
        case "first_date": return firstDate
        case "last_date": return lastDate
        case "tar_note": return tarred ? " Images are stored in one tar file per capture date (UTC)." : ""
        case "webp_note": return webp ? " Images were recompressed with WebP." : ""
        case "version": return version
        case "homepage": return homepage
        default: return nil
        }
    }
}
