import Essentials

/// The EXIF tags the archive owns for one image, per IFD, built from checked ``CaptureFacts``.
///
/// Ownership rules (applied by ``ExifMerger``):
/// - Make, Model, ImageWidth, ImageLength: each replaces the camera's tag when given; otherwise the camera's stays.
/// - Time (DateTime, DateTimeOriginal/Digitized, OffsetTime*, SubSecTime*): one group, all replaced when a capture
///   time is given (UTC, offset `+00:00`); when not, the camera's time tags stay as the camera wrote them.
/// - GPS: one group; when any GPS value is given the camera's whole GPS IFD is replaced, so a raw camera fix never
///   sits beside Mapillary's corrected position; when none is given the camera's GPS IFD stays.
/// - Orientation is never written and is removed from IFD0 and IFD1 (Mapillary images are already rotated).
struct ExifPlan: Sendable {
    var primary: [UInt16: ExifValue] = [:]
    var exif: [UInt16: ExifValue] = [:]
    var gps: [UInt16: ExifValue] = [:]

    /// Camera tags removed from IFD0 even when the plan writes nothing in their place.
    static let alwaysRemovedFromPrimary: Set<UInt16> = [ExifTag.orientation.id]
    /// ExifVersion written when an Exif IFD is created or lacks one: Exif 2.32, which defines OffsetTime*.
    static let exifVersion = ExifValue.undefined(Array("0232".utf8))

    var isEmpty: Bool { primary.isEmpty && exif.isEmpty && gps.isEmpty }

    init(_ facts: CaptureFacts) {
        if let make = facts.make { primary[ExifTag.make.id] = .ascii(make) }
        if let model = facts.model { primary[ExifTag.model.id] = .ascii(model) }
        if let width = facts.width { primary[ExifTag.imageWidth.id] = .long([width]) }
        if let height = facts.height { primary[ExifTag.imageLength.id] = .long([height]) }
        if let time = facts.time {
            let stamp = ExifValue.ascii(time.exifDateTime)
            let offset = ExifValue.ascii("+00:00")
            let subSeconds = ExifValue.ascii(UTCCalendar.pad(time.millisecond, 3))
            primary[ExifTag.dateTime.id] = stamp
            exif[ExifTag.dateTimeOriginal.id] = stamp
            exif[ExifTag.dateTimeDigitized.id] = stamp
            exif[ExifTag.offsetTime.id] = offset
            exif[ExifTag.offsetTimeOriginal.id] = offset
            exif[ExifTag.offsetTimeDigitized.id] = offset
            exif[ExifTag.subSecTime.id] = subSeconds
            exif[ExifTag.subSecTimeOriginal.id] = subSeconds
            exif[ExifTag.subSecTimeDigitized.id] = subSeconds
        }
        if facts.hasGPS { gps = Self.gpsTags(facts) }
    }

    /// Builds a plan from explicit tags (``ExifBuilder``).
    init(tags: [ExifTag: ExifValue]) {
        for (tag, value) in tags {
            switch tag.directory {
            case .primary: primary[tag.id] = value
            case .exif: exif[tag.id] = value
            case .gps: gps[tag.id] = value
            }
        }
    }

    private static func gpsTags(_ facts: CaptureFacts) -> [UInt16: ExifValue] {
        var gps: [UInt16: ExifValue] = [ExifTag.gpsVersionID.id: .byte([2, 3, 0, 0])]
        if let lat = facts.latitudeUnits, let lon = facts.longitudeUnits {
            gps[ExifTag.gpsLatitudeRef.id] = .ascii(lat < 0 ? "S" : "N")
            gps[ExifTag.gpsLatitude.id] = .rational(degreesMinutesSeconds(lat))
            gps[ExifTag.gpsLongitudeRef.id] = .ascii(lon < 0 ? "W" : "E")
            gps[ExifTag.gpsLongitude.id] = .rational(degreesMinutesSeconds(lon))
        }
        if let mm = facts.altitudeMillimetres {
            gps[ExifTag.gpsAltitudeRef.id] = .byte([mm < 0 ? 1 : 0])
            gps[ExifTag.gpsAltitude.id] = .rational([ExifRational(UInt32(mm.magnitude), 1000)])
        }
        if let heading = facts.headingHundredths {
            gps[ExifTag.gpsImgDirectionRef.id] = .ascii("T")
            gps[ExifTag.gpsImgDirection.id] = .rational([ExifRational(UInt32(heading), 100)])
        }
        return gps
    }

    /// Whole degrees, whole minutes and seconds over 10000, from signed ten-thousandths of an arc-second.
    static func degreesMinutesSeconds(_ units: Int64) -> [ExifRational] {
        let total = units.magnitude
        let perSecond = UInt64(CaptureFacts.unitsPerArcSecond)
        let degrees = total / (3600 * perSecond)
        let minutes = total % (3600 * perSecond) / (60 * perSecond)
        let seconds = total % (60 * perSecond)
        return [
            ExifRational(UInt32(degrees), 1), ExifRational(UInt32(minutes), 1),
            ExifRational(UInt32(seconds), UInt32(perSecond)),
        ]
    }
}
