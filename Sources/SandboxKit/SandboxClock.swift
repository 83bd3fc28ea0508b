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

    /// `YYYY:MM:DD HH:MM:SS` (EXIF form) of a time in ms since 1970, shifted by `offsetMinutes`.
    public static func exifDateTime(milliseconds: Int64, offsetMinutes: Int) -> String {
        UTCCalendar.exifDateTime(milliseconds: milliseconds + Int64(offsetMinutes) * 60_000)
    }
}
