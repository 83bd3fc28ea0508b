/// The kind of image file ``ImageTranscoder`` produced; the raw value is the file extension to use.
public enum ImageFileFormat: String, Sendable, Equatable {
    case jpeg = "jpg"
    case webp = "webp"
}
