/// How many images Mapillary holds: the denominator of `stats`' share.
public struct MapillaryTotal: Sendable, Codable, Equatable {
    public var images: Int64
    /// Where the figure comes from.
    public var source: String
    /// When the source gave it (`YYYY-MM-DD`); nil for a figure given with `--mapillary-total`.
    public var asOf: String?

    public init(images: Int64, source: String, asOf: String?) {
        self.images = images
        self.source = source
        self.asOf = asOf
    }

    /// 2 billion: the figure `mapillary_downloader` 0.12.0 divides by (`TOTAL_MAPILLARY_IMAGES` in its
    /// `ia_stats.py`, released 2026-04-22). No current count from Mapillary itself was found (the latest published
    /// one seen: 680 million photos, Geo Week News, 2019-10-15), so it is an estimate, kept so that shares compare
    /// with the Python tool's. `--mapillary-total` overrides it.
    public static let documented = MapillaryTotal(
        images: 2_000_000_000,
        source: "mapillary_downloader 0.12.0 (TOTAL_MAPILLARY_IMAGES in ia_stats.py)", asOf: "2026-04-22")

    /// A figure the user gave.
    public static func given(_ images: Int64) -> MapillaryTotal {
        MapillaryTotal(images: images, source: "--mapillary-total", asOf: nil)
    }

    enum CodingKeys: String, CodingKey {
        case images, source
        case asOf = "as_of"
    }
}
