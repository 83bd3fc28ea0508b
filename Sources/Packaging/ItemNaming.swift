import Essentials
import Imaging

/// Names inside an item: one tar per capture date (UTC), members `{date}/{sequence}/{id}.{ext}`.
public enum ItemNaming {
    /// The folder and tar stem for images without a capture time.
    public static let unknownDate = "unknown-date"

    /// The UTC date `YYYY-MM-DD` of a capture time in milliseconds since 1970, or `unknown-date`
    /// when there is no time or it falls outside years 1–9999.
    public static func dateName(capturedAtMilliseconds millis: Int64?) -> String {
        guard let millis, UTCCalendar.fourDigitYears.contains(millis) else { return unknownDate }
        return UTCCalendar.dateString(milliseconds: millis)
    }

    /// The tar of one date: `YYYY-MM-DD.tar` or `unknown-date.tar`.
    public static func tarName(date: String) -> String { date + ".tar" }

    /// The member name of an image: `{date}/{sequence}/{id}.{ext}`, or `{date}/{id}.{ext}` without a sequence.
    /// The parts are untrusted: ``TarAppender`` refuses the result if it is not a safe name.
    public static func memberName(date: String, sequence: String?, id: String, format: ImageFileFormat) -> String {
        if let sequence, !sequence.isEmpty {
            return date + "/" + sequence + "/" + id + "." + format.rawValue
        }
        return date + "/" + id + "." + format.rawValue
    }

    /// The tar name for `date` that is not among `taken`: `{date}.tar` when free, else the first free
    /// addendum `{date}.{N}.tar` with N ≥ 1. A published tar is never rewritten; later runs add addenda.
    public static func tarName(date: String, avoiding taken: Set<String>) -> String {
        let plain = tarName(date: date)
        if !taken.contains(plain) { return plain }
        return addendumName(date: date, avoiding: taken)
    }

    /// The first free addendum name `{date}.{N}.tar` (N ≥ 1) not among `taken`.
    public static func addendumName(date: String, avoiding taken: Set<String>) -> String {
        var n = 1
        while taken.contains("\(date).\(n).tar") { n += 1 }
        return "\(date).\(n).tar"
    }

    /// True for `YYYY-MM-DD` (digits in those places) and `unknown-date`: the folders the Python tool makes.
    public static func isDateFolderName(_ name: String) -> Bool {
        if name == unknownDate { return true }
        let b = Array(name.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return false }
        for i in [0, 1, 2, 3, 5, 6, 8, 9] where !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) {
            return false
        }
        return true
    }
}
