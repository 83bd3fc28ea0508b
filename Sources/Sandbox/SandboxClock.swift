import Essentials
import Foundation
import Synchronization

/// The sandbox's wall clock for URL expiry, which tests can move forward.
public final class SandboxClock: Sendable {
    private let offsetSeconds = Mutex<Int64>(0)

    public init() {}

    /// Seconds since 1970, plus the offset.
    public var now: Int64 {
        Int64(Date().timeIntervalSince1970) + offsetSeconds.withLock { $0 }
    }

    /// Moves the clock forward (or back, with a negative duration).
    public func advance(by duration: Duration) {
        let seconds = duration.components.seconds
        offsetSeconds.withLock { $0 += seconds }
    }

    /// The current offset from the real clock.
    public var offset: Duration {
        .seconds(offsetSeconds.withLock { $0 })
    }

    /// `YYYY-MM-DD` (UTC) of a time in ms since 1970.
    public static func utcDate(milliseconds: Int64) -> String {
        let c = civil(milliseconds: milliseconds)
        return pad(c.year, 4) + "-" + pad(c.month, 2) + "-" + pad(c.day, 2)
    }

    /// `YYYY:MM:DD HH:MM:SS` (EXIF form) of a time in ms since 1970, shifted by `offsetMinutes`.
    public static func exifDateTime(milliseconds: Int64, offsetMinutes: Int) -> String {
        let shifted = milliseconds + Int64(offsetMinutes) * 60_000
        let c = civil(milliseconds: shifted)
        var secondOfDay = (shifted / 1000) % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400 }
        return pad(c.year, 4) + ":" + pad(c.month, 2) + ":" + pad(c.day, 2) + " "
            + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
    }

    static func civil(milliseconds: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let f = UTCCalendar.fields(milliseconds: milliseconds)
        return (f.year, f.month, f.day)
    }

    static func pad(_ value: Int64, _ width: Int) -> String { UTCCalendar.pad(value, width) }
}
