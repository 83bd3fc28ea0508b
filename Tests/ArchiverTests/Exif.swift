import Foundation

/// What exiftool (`ExifToolTags`) must read back.
enum Exif {
    /// `YYYY:MM:DD HH:MM:SS.mmm+00:00`, exiftool's composite SubSecDateTimeOriginal for a UTC time.
    static func utcText(milliseconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy:MM:dd HH:mm:ss.SSS"
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000)) + "+00:00"
    }
}
