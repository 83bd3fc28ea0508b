/// Which IFD of an EXIF block a tag lives in.
public enum ExifDirectory: Sendable, Hashable {
    /// IFD0: the main image (Make, Model, Orientation, Software, DateTime …).
    case primary
    /// The Exif sub-IFD (exposure, DateTimeOriginal, SubSecTime, MakerNote …).
    case exif
    /// The GPS sub-IFD.
    case gps
}

/// An EXIF tag: its directory and its 16-bit number. Well-known tags are static members.
public struct ExifTag: Sendable, Hashable {
    public let directory: ExifDirectory
    public let id: UInt16

    public init(_ directory: ExifDirectory, _ id: UInt16) {
        self.directory = directory
        self.id = id
    }
}

extension ExifTag {
    public static let imageWidth = ExifTag(.primary, 0x0100)
    public static let imageLength = ExifTag(.primary, 0x0101)
    public static let imageDescription = ExifTag(.primary, 0x010E)
    public static let make = ExifTag(.primary, 0x010F)
    public static let model = ExifTag(.primary, 0x0110)
    public static let orientation = ExifTag(.primary, 0x0112)
    public static let xResolution = ExifTag(.primary, 0x011A)
    public static let yResolution = ExifTag(.primary, 0x011B)
    public static let resolutionUnit = ExifTag(.primary, 0x0128)
    public static let software = ExifTag(.primary, 0x0131)
    public static let dateTime = ExifTag(.primary, 0x0132)
    public static let artist = ExifTag(.primary, 0x013B)
    public static let copyright = ExifTag(.primary, 0x8298)

    public static let exposureTime = ExifTag(.exif, 0x829A)
    public static let fNumber = ExifTag(.exif, 0x829D)
    public static let isoSpeed = ExifTag(.exif, 0x8827)
    public static let exifVersion = ExifTag(.exif, 0x9000)
    public static let dateTimeOriginal = ExifTag(.exif, 0x9003)
    public static let dateTimeDigitized = ExifTag(.exif, 0x9004)
    public static let offsetTime = ExifTag(.exif, 0x9010)
    public static let offsetTimeOriginal = ExifTag(.exif, 0x9011)
    public static let offsetTimeDigitized = ExifTag(.exif, 0x9012)
    public static let focalLength = ExifTag(.exif, 0x920A)
    public static let makerNote = ExifTag(.exif, 0x927C)
    public static let userComment = ExifTag(.exif, 0x9286)
    public static let subSecTime = ExifTag(.exif, 0x9290)
    public static let subSecTimeOriginal = ExifTag(.exif, 0x9291)
    public static let subSecTimeDigitized = ExifTag(.exif, 0x9292)
    public static let pixelXDimension = ExifTag(.exif, 0xA002)
    public static let pixelYDimension = ExifTag(.exif, 0xA003)
    public static let lensModel = ExifTag(.exif, 0xA434)

    public static let gpsVersionID = ExifTag(.gps, 0x0000)
    public static let gpsLatitudeRef = ExifTag(.gps, 0x0001)
    public static let gpsLatitude = ExifTag(.gps, 0x0002)
    public static let gpsLongitudeRef = ExifTag(.gps, 0x0003)
    public static let gpsLongitude = ExifTag(.gps, 0x0004)
    public static let gpsAltitudeRef = ExifTag(.gps, 0x0005)
    public static let gpsAltitude = ExifTag(.gps, 0x0006)
    public static let gpsImgDirectionRef = ExifTag(.gps, 0x0010)
    public static let gpsImgDirection = ExifTag(.gps, 0x0011)

    /// IFD0 pointers to the sub-IFDs (written by the TIFF writer, never set by hand).
    static let exifIFDPointer: UInt16 = 0x8769
    static let gpsIFDPointer: UInt16 = 0x8825
}
