import Foundation
import SQLiteStore

/// Reads an item's download state without changing it (for `verify` and `clean-up`, and for a process that watches
/// a download from outside).
public enum ItemStateReader {
    /// How far a download has come.
    public struct Progress: Sendable {
        public let counts: DownloadState.Counts
        /// The listing reached its last page.
        public let listingComplete: Bool
        /// A `paging.next` link is saved for the listing to continue from.
        public let hasCursor: Bool
        /// Every image recorded as archived.
        public let doneIDs: Set<String>
    }

    /// The state database of an item or staging folder, if it has one.
    public static func databasePath(item: String) -> String? {
        let path = item + "/.mapillary-archiver/state.sqlite"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Ids the state records as archived in this folder (not those whose tar lives only on IA since
    /// `--delete-after-upload`), or nil when the folder has no readable download state.
    public static func doneIDs(item: String) -> Set<String>? {
        reading(item) { try $0.localDoneIDs() }
    }

    /// Archived images whose tar was removed from the folder after IA confirmed it (`--delete-after-upload`).
    public static func remoteOnlyImages(item: String) -> Int {
        reading(item) { try $0.remoteOnlyImages() } ?? 0
    }

    /// Image counts of a folder's download state, or nil without one.
    public static func counts(item: String) -> DownloadState.Counts? {
        reading(item) { try $0.counts() }
    }

    /// How far the folder's download has come, read in one connection, or nil without a download state (also while
    /// a new one has no tables yet).
    public static func progress(item: String) -> Progress? {
        reading(item) { state in
            Progress(
                counts: try state.counts(), listingComplete: try state.listingComplete(),
                hasCursor: try state.cursor() != nil, doneIDs: try state.doneIDs())
        }
    }

    /// Archived images not yet in a published item (all of them before a first publish; those of a later run
    /// not yet merged, after one), or nil without a download state.
    public static func unpublishedImages(item: String) -> Int? {
        reading(item) { state in
            let done = try state.counts().done
            let published = try state.value("published_done").flatMap(Int.init) ?? 0
            return max(0, done - published)
        }
    }

    /// Runs `body` on the folder's state when it has a download state; never creates or migrates one.
    private static func reading<T>(_ item: String, _ body: (DownloadState) throws -> T) -> T? {
        guard let path = databasePath(item: item),
            let database = try? SQLiteDatabase(path: path)
        else { return nil }
        defer { database.close() }
        guard let tables = try? database.query("SELECT name FROM sqlite_master WHERE name = 'download_images'"),
            !tables.isEmpty, let state = try? DownloadState(database: database, migrate: false)
        else { return nil }
        return try? body(state)
    }
}
