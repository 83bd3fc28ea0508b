/// The image rendition to archive: one of Mapillary's thumbnail sizes, or the original upload.
public enum Quality: String, Sendable, CaseIterable, Hashable {
    case q256 = "256"
    case q1024 = "1024"
    case q2048 = "2048"
    case original = "original"

    /// Parses the command-line spelling (`256`, `1024`, `2048`, `original`); nil for anything else.
    public init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }

    /// The Graph API field holding this rendition's signed URL, e.g. `thumb_2048_url`.
    public var thumbField: String { "thumb_\(rawValue)_url" }
}
