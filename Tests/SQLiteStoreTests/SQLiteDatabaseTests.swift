import SQLiteStore
import TestSupport
import Testing

struct SQLiteDatabaseTests {
    @Test func valuesRoundTripAndSurviveReopening() throws {
        let dir = try TemporaryDirectory("sqlite")
        defer { dir.remove() }
        let path = dir.file("state.sqlite")
        do {
            let db = try SQLiteDatabase(path: path)
            try db.migrate(
                component: "t", steps: ["CREATE TABLE items(id TEXT PRIMARY KEY, n INTEGER, r REAL, b BLOB)"])
            try db.run("INSERT INTO items VALUES(?, ?, ?, ?)", ["a", 42, .real(1.5), .blob([0, 1, 255])])
            try db.run("INSERT INTO items VALUES(?, ?, ?, ?)", [.text("zoë"), nil, nil, nil])
            db.close()
        }
        let db = try SQLiteDatabase(path: path)
        try db.migrate(component: "t", steps: ["CREATE TABLE items(id TEXT PRIMARY KEY, n INTEGER, r REAL, b BLOB)"])
        let rows = try db.query("SELECT id, n, r, b FROM items ORDER BY id")
        #expect(rows.count == 2)
        #expect(rows[0][0].string == "a")
        #expect(rows[0][1].int == 42)
        #expect(rows[0][2].double == 1.5)
        #expect(rows[0][3].bytes == [0, 1, 255])
        #expect(rows[1][0].string == "zoë")
        #expect(rows[1][1].isNull)
    }

    @Test func failedTransactionLeavesNothingBehind() throws {
        let dir = try TemporaryDirectory("sqlite")
        defer { dir.remove() }
        let db = try SQLiteDatabase(path: dir.file("s.sqlite"))
        try db.execute("CREATE TABLE t(x INTEGER UNIQUE)")
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try db.transaction { conn in
                try conn.run("INSERT INTO t VALUES(1)")
                throw Abort()
            }
        }
        #expect(try db.scalar("SELECT count(*) FROM t")?.int == 0)
        #expect(throws: SQLiteError.self) {
            try db.transaction { conn in
                try conn.run("INSERT INTO t VALUES(2)")
                try conn.run("INSERT INTO t VALUES(2)")
            }
        }
        #expect(try db.scalar("SELECT count(*) FROM t")?.int == 0)
    }

    @Test func migrationStepsRunOncePerComponent() throws {
        let dir = try TemporaryDirectory("sqlite")
        defer { dir.remove() }
        let db = try SQLiteDatabase(path: dir.file("s.sqlite"))
        try db.migrate(component: "a", steps: ["CREATE TABLE a1(x)"])
        try db.migrate(component: "a", steps: ["CREATE TABLE a1(x)", "CREATE TABLE a2(x)"])
        try db.migrate(component: "b", steps: ["CREATE TABLE b1(x)"])
        let tables = try db.query("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").compactMap {
            $0[0].string
        }
        #expect(tables == ["a1", "a2", "b1", "schema_versions"])
    }
}
