import Essentials
import Foundation
import Packaging
import SQLiteStore

/// `worker --delete-after-upload`: once IA holds every file of an item with its MD5, the item's files are removed
/// from the output folder. What a later run of the same user needs stays: the private folder (the download state,
/// which knows every image archived and in which tar, and the upload journal), `.meta` and the thumbnail. The state
/// remembers which tars and files now live only on IA, so `verify` does not miss them and a later run fetches only
/// new images into addendum tars (the tars on IA are never replaced).
enum ItemTrimmer {
    /// Entries of an item kept by ``trim(item:)``.
    static let kept: Set<String> = [".mapillary-archiver", ".meta", "__ia_thumb__.jpg"]

    /// Removes the item's uploaded files; returns how many top-level entries went.
    static func trim(item: String) throws -> Int {
        let fm = FileManager.default
        guard let databasePath = ItemStateReader.databasePath(item: item) else {
            throw ArchiverError(.io, "\(item) has no download state; its files are kept")
        }
        let names = try fm.contentsOfDirectory(atPath: item).filter { !kept.contains($0) }.sorted()
        let database = try SQLiteDatabase(path: databasePath)
        defer { database.close() }
        let state = try DownloadState(database: database)
        // Recorded before anything goes: a crash in between leaves files the state calls remote, which verify
        // then reports as extra, never images it cannot find.
        try state.markOnlyOnIA(try state.containers())
        for name in names { try fm.removeItem(atPath: item + "/" + name) }
        let manifest = try ItemManifest.build(item: item)
        try manifest.write(toItem: item)
        return names.count
    }
}
