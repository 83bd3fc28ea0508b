import Essentials
import Foundation
import SQLiteStore

/// The item's upload state in `{item}/.mapillary-archiver/state.sqlite` (component "upload"): files finished
/// per target, MD5s already computed, and multipart uploads in flight with their parts. Every write is one
/// committed transaction, so a killed upload resumes where it stopped.
final class UploadJournal: Sendable {
    /// A file IA accepted in an earlier run.
    struct Finished: Sendable, Equatable {
        let size: Int64
        let mtime: Int64
        let md5: String
        /// When IA accepted it, in seconds since 1970 (the `finished_at` column).
        let finishedAt: Int64
    }

    /// A multipart upload started in an earlier run.
    struct Multipart: Sendable {
        let uploadID: String
        let size: Int64
        let mtime: Int64
        let partSize: Int64
        /// Part number → what IA acknowledged.
        let parts: [Int: Part]
    }

    /// One part IA acknowledged.
    struct Part: Sendable {
        let etag: String
        let md5: String
        let size: Int64
        /// The whole file's running MD5 after this part (``MD5/savedState``), when it was computed.
        let runningMD5: [UInt8]?
    }

    static let folder = ".mapillary-archiver"
    static let fileName = "state.sqlite"

    let database: SQLiteDatabase
    /// `{s3}/{identifier}`: entries of other targets (a sandbox, a renamed item) are ignored.
    let target: String

    private static let schema = [
        """
        CREATE TABLE upload_files (target TEXT NOT NULL, key TEXT NOT NULL, size INTEGER NOT NULL,
            mtime INTEGER NOT NULL, md5 TEXT NOT NULL, finished_at INTEGER NOT NULL, PRIMARY KEY (target, key));
        CREATE TABLE upload_hashes (key TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime INTEGER NOT NULL,
            md5 TEXT NOT NULL);
        CREATE TABLE upload_multipart (target TEXT NOT NULL, key TEXT NOT NULL, upload_id TEXT NOT NULL,
            size INTEGER NOT NULL, mtime INTEGER NOT NULL, part_size INTEGER NOT NULL, started_at INTEGER NOT NULL,
            PRIMARY KEY (target, key));
        CREATE TABLE upload_parts (target TEXT NOT NULL, key TEXT NOT NULL, part_number INTEGER NOT NULL,
            etag TEXT NOT NULL, md5 TEXT NOT NULL, size INTEGER NOT NULL, running_md5 BLOB,
            PRIMARY KEY (target, key, part_number));
        """
    ]

    private init(database: SQLiteDatabase, target: String) {
        self.database = database
        self.target = target
    }

    /// The path of the state database of `item`.
    static func path(item: String) -> String { item + "/" + folder + "/" + fileName }

    /// Opens (creating the folder and the database when missing) the journal of `item` for `target`.
    static func open(item: String, target: String) throws -> UploadJournal {
        do {
            try DurableFile.makeDirectories(item + "/" + folder)
            let database = try SQLiteDatabase(path: path(item: item))
            // Commits survive a killed process without an fsync each (WAL, NORMAL). What a power loss could
            // take back is recovered on the next run from IA's MD5s (finished files) and ListParts (parts of an
            // upload whose id was kept); a lost upload id sends that file again, leaving the old parts on IA.
            try database.execute("PRAGMA synchronous=NORMAL")
            try database.migrate(component: "upload", steps: schema)
            return UploadJournal(database: database, target: target)
        } catch let error as FileError {
            throw InternetArchiveError(.state, "the upload state of \(item) cannot be created: \(error)")
        } catch {
            throw stateError(error, item: item)
        }
    }

    /// Opens the journal only when the database exists already (dry runs write nothing).
    static func openExisting(item: String, target: String) throws -> UploadJournal? {
        guard FileManager.default.fileExists(atPath: path(item: item)) else { return nil }
        return try open(item: item, target: target)
    }

    func close() { database.close() }

    // MARK: finished files

    func finished(_ key: String) throws -> Finished? {
        try wrap {
            try database.query(
                "SELECT size, mtime, md5, finished_at FROM upload_files WHERE target = ? AND key = ?",
                [.text(target), .text(key)]
            ).first.flatMap { row in
                guard let size = row[0].int64, let mtime = row[1].int64, let md5 = row[2].string,
                    let finishedAt = row[3].int64
                else { return nil }
                return Finished(size: size, mtime: mtime, md5: md5, finishedAt: finishedAt)
            }
        }
    }

    /// Records `file` as accepted by IA with `md5`, and drops its multipart state, in one transaction.
    func recordFinished(_ file: ItemFile, md5: String) throws {
        try wrap {
            try database.transaction { db in
                try db.run(
                    """
                    INSERT INTO upload_files(target, key, size, mtime, md5, finished_at) VALUES(?, ?, ?, ?, ?, ?)
                    ON CONFLICT(target, key) DO UPDATE SET size = excluded.size, mtime = excluded.mtime,
                        md5 = excluded.md5, finished_at = excluded.finished_at
                    """,
                    [
                        .text(target), .text(file.key), .integer(file.size), .integer(file.mtime), .text(md5),
                        .integer(Int64(Date().timeIntervalSince1970)),
                    ])
                try Self.deleteMultipart(db, target: target, key: file.key)
            }
        }
    }

    // MARK: hash cache

    /// The MD5 computed earlier for `file`, when its size and mtime are unchanged.
    func cachedMD5(_ file: ItemFile) throws -> String? {
        try wrap {
            try database.query(
                "SELECT md5 FROM upload_hashes WHERE key = ? AND size = ? AND mtime = ?",
                [.text(file.key), .integer(file.size), .integer(file.mtime)]
            ).first?[0].string
        }
    }

    func cacheMD5(_ file: ItemFile, md5: String) throws {
        try wrap {
            try database.run(
                """
                INSERT INTO upload_hashes(key, size, mtime, md5) VALUES(?, ?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, md5 = excluded.md5
                """, [.text(file.key), .integer(file.size), .integer(file.mtime), .text(md5)])
        }
    }

    // MARK: multipart

    func multipart(_ key: String) throws -> Multipart? {
        try wrap {
            guard
                let row = try database.query(
                    """
                    SELECT upload_id, size, mtime, part_size FROM upload_multipart WHERE target = ? AND key = ?
                    """, [.text(target), .text(key)]
                ).first,
                let uploadID = row[0].string, let size = row[1].int64, let mtime = row[2].int64,
                let partSize = row[3].int64
            else { return nil }
            var parts: [Int: Part] = [:]
            for part in try database.query(
                """
                SELECT part_number, etag, md5, size, running_md5 FROM upload_parts WHERE target = ? AND key = ?
                """, [.text(target), .text(key)])
            {
                guard let number = part[0].int, let etag = part[1].string, let md5 = part[2].string,
                    let partLength = part[3].int64
                else { continue }
                parts[number] = Part(etag: etag, md5: md5, size: partLength, runningMD5: part[4].bytes)
            }
            return Multipart(uploadID: uploadID, size: size, mtime: mtime, partSize: partSize, parts: parts)
        }
    }

    func startMultipart(_ file: ItemFile, uploadID: String, partSize: Int64) throws {
        try wrap {
            try database.transaction { db in
                try Self.deleteMultipart(db, target: target, key: file.key)
                try db.run(
                    """
                    INSERT INTO upload_multipart(target, key, upload_id, size, mtime, part_size, started_at)
                    VALUES(?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(target), .text(file.key), .text(uploadID), .integer(file.size), .integer(file.mtime),
                        .integer(partSize), .integer(Int64(Date().timeIntervalSince1970)),
                    ])
            }
        }
    }

    func recordPart(_ key: String, number: Int, part: Part) throws {
        try wrap {
            try database.run(
                """
                INSERT INTO upload_parts(target, key, part_number, etag, md5, size, running_md5) VALUES(?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(target, key, part_number) DO UPDATE SET etag = excluded.etag, md5 = excluded.md5,
                    size = excluded.size, running_md5 = excluded.running_md5
                """,
                [
                    .text(target), .text(key), .integer(Int64(number)), .text(part.etag), .text(part.md5),
                    .integer(part.size), part.runningMD5.map { .blob($0) } ?? .null,
                ])
        }
    }

    func forgetMultipart(_ key: String) throws {
        try wrap {
            try database.transaction { db in try Self.deleteMultipart(db, target: target, key: key) }
        }
    }

    private static func deleteMultipart(_ db: SQLiteConnection, target: String, key: String) throws {
        try db.run("DELETE FROM upload_parts WHERE target = ? AND key = ?", [.text(target), .text(key)])
        try db.run("DELETE FROM upload_multipart WHERE target = ? AND key = ?", [.text(target), .text(key)])
    }

    @discardableResult
    private func wrap<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as InternetArchiveError {
            throw error
        } catch {
            throw Self.stateError(
                error, item: DurableFile.parentDirectory(of: DurableFile.parentDirectory(of: database.path)))
        }
    }

    private static func stateError(_ error: any Error, item: String) -> InternetArchiveError {
        if let sqlite = error as? SQLiteError {
            return InternetArchiveError(.state, "the upload state of \(item) failed: \(sqlite)")
        }
        return InternetArchiveError(
            .state,
            "the upload state of \(item) failed (\(error)); move "
                + "\(item)/\(folder)/\(fileName) aside to start its upload over")
    }
}
