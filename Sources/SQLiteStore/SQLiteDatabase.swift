import CSQLite
import Synchronization

/// One SQLite database file shared by the tasks of one item (download state, upload journal).
///
/// Every call takes a lock, so the object is safe to use from any thread; calls block on disk I/O, so async
/// callers should make them from a thread that may block (a writer thread), not in tight loops on the
/// cooperative pool. The database runs in WAL mode with `synchronous=FULL`: a committed transaction survives
/// a crash of the process and of the machine (the upload journal lowers it to NORMAL: see `UploadJournal`).
public final class SQLiteDatabase: Sendable {
    public let path: String
    private let connection: Mutex<SQLiteConnection>

    /// Opens (creating when missing) the database at `path`. A call that finds the file locked by another
    /// connection waits up to `busyTimeout` for it, then fails with `SQLITE_BUSY`.
    public init(path: String, busyTimeout: Duration = .seconds(10)) throws {
        self.path = path
        let connection = try SQLiteConnection(path: path, busyTimeout: busyTimeout)
        try connection.execute(
            """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            PRAGMA foreign_keys=ON;
            """)
        self.connection = Mutex(connection)
    }

    /// Runs one or more statements without results (schema, pragmas).
    public func execute(_ sql: String) throws {
        try connection.withLock { try $0.execute(sql) }
    }

    /// Runs one statement with bindings; returns the number of changed rows.
    @discardableResult
    public func run(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> Int {
        try connection.withLock { try $0.run(sql, bindings) }
    }

    /// Runs one query and returns all its rows.
    public func query(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> [SQLiteRow] {
        try connection.withLock { try $0.query(sql, bindings) }
    }

    /// The first column of the first row, or nil.
    public func scalar(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> SQLiteValue? {
        try query(sql, bindings).first?[0]
    }

    /// Runs `body` inside one transaction (BEGIN IMMEDIATE … COMMIT); rolls back when it throws.
    @discardableResult
    public func transaction<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try connection.withLock { conn in
            try conn.execute("BEGIN IMMEDIATE")
            do {
                let result = try body(conn)
                try conn.execute("COMMIT")
                return result
            } catch {
                try? conn.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Applies numbered schema steps once each, tracked in `PRAGMA user_version`.
    /// Step `i` (0-based) runs when the stored version is ≤ i; several modules may share a file by using
    /// their own table prefixes and calling ``migrate(component:steps:)`` instead.
    public func migrate(component: String, steps: [String]) throws {
        try transaction { conn in
            try conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
            let current =
                try conn.query("SELECT version FROM schema_versions WHERE component = ?", [.text(component)])
                .first?[0].int ?? 0
            guard current < steps.count else { return }
            for step in steps[current...] {
                try conn.execute(step)
            }
            try conn.run(
                "INSERT INTO schema_versions(component, version) VALUES(?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version",
                [.text(component), .integer(Int64(steps.count))])
        }
    }

    /// Closes the connection. Later calls fail.
    public func close() {
        connection.withLock { $0.close() }
    }
}
