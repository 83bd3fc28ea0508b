/// The renditions the fake CDN serves, spelled as Mapillary's `thumb_{q}_url` fields spell them.
public enum SandboxQuality: String, Sendable, CaseIterable, Hashable {
    case q256 = "256"
    case q1024 = "1024"
    case q2048 = "2048"
    case original = "original"

    /// `thumb_256_url` and so on.
    public var thumbField: String { "thumb_\(rawValue)_url" }

    /// The quality named by a `thumb_{q}_url` field; nil for other fields.
    init?(thumbField: String) {
        guard thumbField.hasPrefix("thumb_"), thumbField.hasSuffix("_url") else { return nil }
        self.init(rawValue: String(thumbField.dropFirst(6).dropLast(4)))
    }

    /// The rendition's size for an image whose original is `original`: longest side 256/1024/2048
    /// (never larger than the original), same aspect ratio.
    public func size(forOriginal original: PixelSize) -> PixelSize {
        let longest: Int
        switch self {
        case .q256: longest = 256
        case .q1024: longest = 1024
        case .q2048: longest = 2048
        case .original: return original
        }
        let long = max(original.width, original.height), short = min(original.width, original.height)
        guard long > longest else { return original }
        let scaledShort = max(1, Int((Double(short) * Double(longest) / Double(long)).rounded()))
        return original.width >= original.height
            ? PixelSize(width: longest, height: scaledShort)
            : PixelSize(width: scaledShort, height: longest)
    }
}
