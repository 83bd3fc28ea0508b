/// What ``ImageTranscoder`` writes: the JPEG with metadata merged in, or a WebP re-encode with metadata chunks.
public enum OutputFormat: Sendable, Equatable {
    case jpeg
    /// Lossy WebP at `quality` 0…100 (cwebp's default is 75), method 4, default preset, like `cwebp -q Q -m 4`.
    case webp(quality: Float)

    /// WebP with cwebp's default quality, 75.
    public static let webpDefault = OutputFormat.webp(quality: 75)

    /// The file format this output produces.
    public var fileFormat: ImageFileFormat {
        switch self {
        case .jpeg: return .jpeg
        case .webp: return .webp
        }
    }
}
