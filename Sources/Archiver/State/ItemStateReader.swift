import Foundation
import SQLiteStore

/// Reads an item's download state without changing it (for `verify` and `clean-up`).
public enum ItemStateReader {
    /// The state database of an item or staging folder, if it has one.
    public static func databasePath(item: String) -> String? {
        let path = item + "/.mapillary-archiver/state.sqlite"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Ids the state records as archived, or nil when the folder has no readable download state.
    public static func doneIDs(item: String) -> Set<String>? {
        guard let path = databasePath(item: item),
              let database = try? SQLiteDatabase(path: path) else { return nil }
        defer { database.close() }
        guard let tables = try? database.query("SELECT name FROM sqlite_master WHERE name = 'download_images'"),
              !tables.isEmpty else { return nil }
        return try? DownloadState(database: database).doneIDs()
    }

    /// Image counts of a folder's download state, or nil without one.
    public static func counts(item: String) -> DownloadState.Counts? {
        guard let path = databasePath(item: item),
              let database = try? SQLiteDatabase(path: path) else { return nil }
        defer { database.close() }
        return try? DownloadState(database: database).counts()
    }
}
