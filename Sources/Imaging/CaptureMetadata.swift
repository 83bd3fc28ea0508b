/// Where, when and with what an image was taken, as the Mapillary API reported it (values not yet checked).
///
/// ``ImageTranscoder`` validates every field: out-of-range or non-finite values are left out of the file (with a
/// warning), wrapped altitudes are unwrapped and headings are normalised to [0, 360). A value of 0 is a value.
public struct CaptureMetadata: Sendable, Equatable {
    public var make: String?
    public var model: String?
    /// Size of the original upload in pixels (not adjusted for orientation), written as ImageWidth/ImageLength.
    public var width: Int?
    public var height: Int?
    /// Capture instant in milliseconds since the Unix epoch (UTC).
    public var capturedAtMillis: Int64?
    public var latitude: Double?
    public var longitude: Double?
    /// Metres above sea level as the API gave it; may be a 32-bit-wrapped negative such as 4294967281 (−15 m).
    public var altitude: Double?
    /// Compass heading in degrees, any range; normalised to [0, 360).
    public var heading: Double?
    /// An equirectangular 360° panorama: adds XMP GPano tags when width and height are known.
    public var isPano: Bool

    public init(
        make: String? = nil, model: String? = nil, width: Int? = nil, height: Int? = nil,
        capturedAtMillis: Int64? = nil, latitude: Double? = nil, longitude: Double? = nil,
        altitude: Double? = nil, heading: Double? = nil, isPano: Bool = false
    ) {
        self.make = make
        self.model = model
        self.width = width
        self.height = height
        self.capturedAtMillis = capturedAtMillis
        self.latitude = latitude
        self.longitude = longitude
        self.altitude = altitude
        self.heading = heading
        self.isPano = isPano
    }
}
