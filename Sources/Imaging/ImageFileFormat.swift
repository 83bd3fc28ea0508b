/// The format of an archived image file: what ``ImageTranscoder`` writes, and the extension of its name in a tar
/// (the raw value).
public enum ImageFileFormat: String, Sendable, Equatable {
    /// The downloaded JPEG with metadata merged in.
    case jpeg = "jpg"
    /// A lossy WebP re-encode with metadata chunks.
    case webp = "webp"
}
