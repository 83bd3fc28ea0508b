import Essentials
/// A point in WGS84 degrees, as GeoJSON gives it (`[lon, lat]`).
public struct GeoPoint: Sendable, Equatable {
    public let longitude: Double
    public let latitude: Double

    public init(longitude: Double, latitude: Double) {
        self.longitude = longitude
        self.latitude = latitude
    }
}

/// One image as the Graph API described it, checked and typed, with the record's bytes as received.
///
/// Values that fail their type or range check are nil, not errors: only an unsafe `id` or
/// `sequence` (they become paths) refuses the whole record. Strings that end up in EXIF (`make`,
/// `model`) are passed on unchanged; the Imaging module sanitises them.
public struct ImageRecord: Sendable, Equatable {
    /// The image id (letters, digits, `_`, `-`; at most 64 characters; numeric in practice).
    public let id: String
    /// The record's JSON on one line: the bytes as received, or minified when the API pretty-printed.
    public let rawJSON: [UInt8]
    /// Capture time in milliseconds since 1970 (UTC); nil when absent or not a plausible time.
    public let capturedAt: Int64?
    /// The sequence key (same character rules as `id`); nil when the API gave none.
    public let sequence: String?
    /// The signed URL of the chosen quality (http or https only); nil when missing.
    public let thumbURL: String?
    public let make: String?
    public let model: String?
    public let width: Int?
    public let height: Int?
    public let isPano: Bool?
    public let cameraType: String?
    public let geometry: GeoPoint?
    public let computedGeometry: GeoPoint?
    /// Raw metres as received, possibly unsigned-wrapped (4294967281 = -15); Imaging unwraps.
    public let altitude: Double?
    public let computedAltitude: Double?
    public let compassAngle: Double?
    public let computedCompassAngle: Double?
    /// EXIF orientation 1…8; nil when absent or outside that range.
    public let exifOrientation: Int?
    /// `creator.username`, when the API gave it.
    public let creatorUsername: String?

    /// The position to publish: the SfM-corrected `computed_geometry`, else the camera's `geometry`.
    public var preferredPosition: GeoPoint? { computedGeometry ?? geometry }

    /// The altitude to publish: the camera's `altitude`, else `computed_altitude` (an altitude of 0 is a value).
    public var preferredAltitude: Double? { altitude ?? computedAltitude }

    /// The heading to publish: `computed_compass_angle`, else `compass_angle` (0° is a value).
    public var preferredHeading: Double? { computedCompassAngle ?? compassAngle }

    /// True when the record says panorama (`is_pano`), or, lacking that, its camera is spherical.
    public var isPanorama: Bool {
        if let isPano { return isPano }
        return cameraType == "equirectangular" || cameraType == "spherical"
    }

    /// The capture date in UTC as `YYYY-MM-DD`; nil without a capture time.
    public var captureDateUTC: String? {
        capturedAt.map(UTCCalendar.dateString(milliseconds:))
    }

    /// The range of capture times accepted as plausible: 1900-01-01 to 9999-12-31 (UTC).
    public static let plausibleCaptureTimes: ClosedRange<Int64> = -2_208_988_800_000...253_402_300_799_999
}
