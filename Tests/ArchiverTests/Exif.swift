import Foundation
import TestSupport

/// exiftool's reading of a file: `-G1 -n` tags as "Group:Tag".
enum Exif {
    static func read(_ path: String) async throws -> [String: Any] {
        let result = try await ExternalTool.runDetached("exiftool", ["-j", "-n", "-G1", path])
        guard result.ok, let list = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]],
              let tags = list.first
        else { throw TarListingError(message: "exiftool could not read \(path): \(result.stderr)") }
        return tags
    }

    /// `YYYY:MM:DD HH:MM:SS.mmm+00:00`, exiftool's composite SubSecDateTimeOriginal for a UTC time.
    static func utcText(milliseconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy:MM:dd HH:mm:ss.SSS"
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000)) + "+00:00"
    }
}
