/// UTC calendar arithmetic without Foundation's calendars or locales (proleptic Gregorian; Howard Hinnant's
/// `civil_from_days`). Capture dates, EXIF times and tar names all come from here.
public enum UTCCalendar {
    /// The calendar fields of one instant.
    public struct Fields: Sendable, Equatable {
        public let year: Int64, month: Int64, day: Int64
        public let hour: Int64, minute: Int64, second: Int64, millisecond: Int64
    }

    /// Year, month and day of a day count since 1970-01-01.
    public static func civil(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Times whose year has four digits, 0001-01-01 to 9999-12-31 (milliseconds since 1970).
    public static let fourDigitYears: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999

    /// The fields of a time in milliseconds since 1970 (negative times are before 1970).
    public static func fields(milliseconds: Int64) -> Fields {
        let msPerDay: Int64 = 86_400_000
        var days = milliseconds / msPerDay
        var msOfDay = milliseconds % msPerDay
        if msOfDay < 0 {
            msOfDay += msPerDay
            days -= 1
        }
        let (year, month, day) = civil(daysSince1970: days)
        let seconds = msOfDay / 1000
        return Fields(
            year: year, month: month, day: day, hour: seconds / 3600, minute: seconds / 60 % 60,
            second: seconds % 60, millisecond: msOfDay % 1000)
    }

    /// `YYYY-MM-DD` of a time in milliseconds since 1970.
    public static func dateString(milliseconds: Int64) -> String {
        fields(milliseconds: milliseconds).date(separator: "-")
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` (ISO 8601, whole seconds) of a time in milliseconds since 1970.
    public static func iso8601(milliseconds: Int64) -> String {
        let f = fields(milliseconds: milliseconds)
        return f.date(separator: "-") + "T" + f.time(separator: ":") + "Z"
    }

    /// `YYYY:MM:DD HH:MM:SS`, EXIF's date-time form, of a time in milliseconds since 1970.
    public static func exifDateTime(milliseconds: Int64) -> String {
        fields(milliseconds: milliseconds).exifDateTime
    }

    /// `YYYYMMDD-HHMMSS` of a time in milliseconds since 1970 (file name stamps).
    public static func compactTimestamp(milliseconds: Int64) -> String {
        let f = fields(milliseconds: milliseconds)
        return f.date(separator: "") + "-" + f.time(separator: "")
    }

    /// Decimal digits, left-padded with zeros to `width`.
    public static func pad(_ value: some BinaryInteger, _ width: Int) -> String {
        var text = String(value)
        while text.count < width { text = "0" + text }
        return text
    }
}

extension UTCCalendar.Fields {
    /// `YYYY{separator}MM{separator}DD`.
    public func date(separator: String) -> String {
        UTCCalendar.pad(year, 4) + separator + UTCCalendar.pad(month, 2) + separator + UTCCalendar.pad(day, 2)
    }

    /// `YYYY:MM:DD HH:MM:SS`, EXIF's date-time form.
    public var exifDateTime: String { date(separator: ":") + " " + time(separator: ":") }

    /// `HH{separator}MM{separator}SS`.
    public func time(separator: String) -> String {
        UTCCalendar.pad(hour, 2) + separator + UTCCalendar.pad(minute, 2) + separator + UTCCalendar.pad(second, 2)
    }
}
