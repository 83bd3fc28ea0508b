import Essentials

/// One image the sandbox serves: the truth a test compares the client's results with.
public struct SandboxImage: Sendable {
    /// Why a hostile record must not be archived as-is.
    public enum Hostility: String, Sendable, CaseIterable {
        /// `sequence` is `../../x`.
        case traversalSequence
        /// `id` contains `/`.
        case slashInID
        /// `id` contains a NUL character.
        case nulInID
        /// `sequence` contains a line break.
        case newlineInSequence
        /// A valid record without any `thumb_*_url` (lookups do not have one either).
        case missingRendition

        /// True when a client must refuse the record itself (its id or sequence is unsafe).
        public var makesRecordUnsafe: Bool { self != .missingRendition }
    }

    public let id: String
    public let user: String
    /// Position in the user's listing (0-based).
    public let index: Int
    public let sequence: String
    /// Capture time in ms since 1970; nil for records published without `captured_at`.
    public let capturedAt: Int64?
    /// The camera's own position (`geometry`).
    public let longitude: Double
    public let latitude: Double
    /// `computed_geometry`, when the record has one.
    public let computedPosition: (longitude: Double, latitude: Double)?
    public let altitude: Double?
    public let computedAltitude: Double?
    public let compassAngle: Double
    public let computedCompassAngle: Double?
    public let isPano: Bool
    public let cameraType: String
    public let make: String
    public let model: String
    /// Size of the original upload (`width`, `height`).
    public let width: Int
    public let height: Int
    public let exifOrientation: Int
    public let cameraParameters: [Double]?
    public let computedRotation: [Double]
    public let creatorID: String
    /// The camera clock's offset from UTC, used for the JPEG's own `DateTimeOriginal`.
    public let cameraUTCOffsetMinutes: Int
    public let hostility: Hostility?
    /// True for the second record a `duplicates` listing carries for an image (see ``relisted(seed:)``).
    public internal(set) var isRelisted = false

    /// The capture date in UTC (`YYYY-MM-DD`), the day folder an archiver files the image under.
    public var captureDateUTC: String? {
        capturedAt.map { UTCCalendar.dateString(milliseconds: $0) }
    }

    /// True when a correct client archives this image (not hostile in any way).
    public var isArchivable: Bool { hostility == nil }
}
