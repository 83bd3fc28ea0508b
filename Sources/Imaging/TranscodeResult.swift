/// The bytes of one finished image and what the caller should know about how it was made.
public struct TranscodeResult: Sendable {
    /// The complete image file, ready to be written as is.
    public let bytes: [UInt8]
    public let format: ImageFileFormat
    /// Non-fatal problems (unreadable camera EXIF, out-of-range metadata values, decoder warnings), one sentence each.
    /// The image is still good; callers log these.
    public let warnings: [String]

    public init(bytes: [UInt8], format: ImageFileFormat, warnings: [String]) {
        self.bytes = bytes
        self.format = format
        self.warnings = warnings
    }
}
