import Foundation
import SQLiteStore

/// The embedded queue: one SQLite file that several workers of one machine may share. Writers take turns
/// (`BEGIN IMMEDIATE`, WAL, a 10 s busy timeout). Commits are not fsynced one by one (`synchronous=NORMAL`):
/// they survive a killed process; a power loss may take back the last ones, but it also stops every worker of
/// this machine, so a claim taken back is held by no one, and a result taken back is done again when that
/// job's lease runs out (at-least-once work, never a job skipped). The file must be on a local disk.
final class SQLiteQueueStore: QueueStore {
    let displayName: String
    private let database: SQLiteDatabase

    /// Opens the queue at `path`; `create`: make it (and its folder) when missing, else refuse.
    init(path: String, create: Bool) throws {
        displayName = path
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists && !create {
            throw CampaignError(
                .notAQueue,
                "there is no queue at \(path); add users with `mapillary-archiver queue add` first, or give the right --queue"
            )
        }
        do {
            if !exists {
                let folder = (path as NSString).deletingLastPathComponent
                if !folder.isEmpty {
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                }
            }
            database = try SQLiteDatabase(path: path)
        } catch let error as SQLiteError {
            throw Self.campaignError(error, path: path)
        } catch {
            throw CampaignError(.database, "cannot create the queue \(path): \(error.localizedDescription)")
        }
        do {
            try translate { try database.execute("PRAGMA synchronous=NORMAL") }
            try migrate(existed: exists)
        } catch {
            database.close()
            throw error
        }
    }

    /// Brings the schema up to date; refuses a newer one, and a database of something else (an item's state).
    private func migrate(existed: Bool) throws {
        let steps = QueueSchema.steps(for: .sqlite)
        try translate {
            let tables = try database.query("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap {
                $0[0].string
            }
            var version = 0
            if tables.contains("schema_versions") {
                version =
                    try database.scalar(
                        "SELECT version FROM schema_versions WHERE component = ?", [.text(QueueSchema.component)])?.int
                    ?? 0
            }
            if existed && version == 0 && !tables.isEmpty {
                throw CampaignError(
                    .notAQueue, "\(displayName) is a database of something else, not a queue; give the right --queue")
            }
            if version > steps.count {
                throw QueueSchema.newerSchema(displayName, version: version, known: steps.count)
            }
            try database.migrate(component: QueueSchema.component, steps: steps)
        }
    }

    func transaction<T: Sendable>(_ body: (QueueSession) throws -> T) throws -> T {
        try translate { try database.transaction { try body(Session(connection: $0)) } }
    }

    func statement(_ sql: String, _ parameters: [QueueValue]) throws -> [QueueRow] {
        try transaction { try $0.rows(sql, parameters) }
    }

    func close() { database.close() }

    private func translate<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as SQLiteError { throw Self.campaignError(error, path: displayName) }
    }

    private struct Session: QueueSession {
        let connection: SQLiteConnection

        func rows(_ sql: String, _ parameters: [QueueValue]) throws -> [QueueRow] {
            let bindings: [SQLiteValue] = parameters.map {
                switch $0 {
                case .null: return .null
                case .integer(let value): return .integer(value)
                case .text(let value): return .text(value)
                }
            }
            return try connection.query(QueueDialect.sqlite.spell(sql), bindings).map { row in
                QueueRow(values: row.values.map { $0.string })
            }
        }
    }

    static func campaignError(_ error: SQLiteError, path: String) -> CampaignError {
        switch error.code & 0xff {
        case 5, 6:  // SQLITE_BUSY, SQLITE_LOCKED
            return CampaignError(
                .busy,
                "the queue \(path) stayed locked by another process for over 10 seconds; run the command again (and check that no process hangs holding it)"
            )
        case 13:
            return CampaignError(
                .diskFull,
                "the queue \(path) could not be written because the disk is full; free some space and run the command again"
            )
        case 11, 26:  // SQLITE_CORRUPT, SQLITE_NOTADB
            return CampaignError(
                .notAQueue,
                "\(path) is not a queue database (or it is damaged: \(error.message)); give the right --queue")
        default:
            return CampaignError(.database, "the queue \(path) failed: \(error.message)")
        }
    }
}
