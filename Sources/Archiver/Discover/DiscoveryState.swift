import Foundation
import Mapillary
import SQLiteStore

/// The saved progress of one `discover` (SQLite): the area and API it is about, the pieces still to ask and
/// their next-page links, every image id seen with its creator (so an image listed twice, by overlapping
/// pieces or a piece asked again after a kill, counts once), and the requests made.
///
/// Each answered page is one transaction (its images, the piece's next link or its end, the request count), so
/// a `kill -9` loses at most the pages in flight. The file is held with SQLite's exclusive locking mode: a second
/// process on the same file waits up to 10 s, then is refused. Not thread-safe: use it from one thread.
final class DiscoveryState: Sendable {
    /// A piece not finished yet, as stored.
    struct OpenPiece: Sendable {
        let id: Int64
        let tile: Int
        let piece: AreaPiece
        /// The next page to ask for (nil: the first page).
        let cursor: String?
    }

    /// What the state holds when a discovery is finished.
    struct Tally: Sendable {
        var creators: [(username: String, images: Int)] = []
        var imagesWithoutCreator = 0
        var requests = 0
        /// Pieces that still answered a full page at the smallest box and one second of capture time.
        var incomplete: [String] = []
    }

    let path: String
    private let db: SQLiteDatabase

    /// Opens (creating when missing) the state of a discovery of `area` at `apiBase`. Throws ``ArchiverError``:
    /// `.usage` when the file belongs to another area or API, `.busy` when another process holds it.
    init(path: String, area: DiscoveryArea, apiBase: String) throws {
        self.path = path
        do {
            // Another discover holds the file for its whole run: no use waiting for it.
            db = try SQLiteDatabase(path: path, busyTimeout: .milliseconds(200))
            try db.execute("PRAGMA locking_mode=EXCLUSIVE")
            try db.migrate(
                component: "discover",
                steps: [
                    """
                    CREATE TABLE discover_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE discover_pieces (id INTEGER PRIMARY KEY, tile INTEGER NOT NULL,
                        west REAL NOT NULL, south REAL NOT NULL, east REAL NOT NULL, north REAL NOT NULL,
                        window_start INTEGER, window_end INTEGER, state TEXT NOT NULL, cursor TEXT);
                    CREATE INDEX discover_pieces_state ON discover_pieces(state);
                    CREATE TABLE discover_images (id TEXT PRIMARY KEY, creator TEXT) WITHOUT ROWID;
                    """
                ])
            let identity = ["area": area.description, "api": apiBase]
            try db.transaction { conn in
                for (key, value) in identity.sorted(by: { $0.key < $1.key }) {
                    let stored = try conn.query("SELECT value FROM discover_settings WHERE key = ?", [.text(key)])
                        .first?[0].string
                    if let stored, stored != value {
                        let other =
                            try conn.query("SELECT value FROM discover_settings WHERE key = 'area'").first?[0].string
                            ?? "?"
                        let otherAPI =
                            try conn.query("SELECT value FROM discover_settings WHERE key = 'api'").first?[0].string
                            ?? "?"
                        throw ArchiverError(
                            .usage,
                            "the state file \(path) holds the discovery of the area \(other) at \(otherAPI), not of \(area) at \(apiBase); give another --state, or delete the file to start over"
                        )
                    }
                    try conn.run(
                        "INSERT OR IGNORE INTO discover_settings(key, value) VALUES (?, ?)", [.text(key), .text(value)])
                }
                // A write, so the exclusive lock is taken now and held until the file is closed.
                try conn.run(
                    "INSERT INTO discover_settings(key, value) VALUES ('opened_by', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [.text(String(getpid()))])
            }
        } catch let error as SQLiteError where error.code & 0xff == 5 {
            throw ArchiverError(
                .busy,
                "another mapillary-archiver discover is working with the state file \(path); wait for it to finish, or give another --state"
            )
        }
    }

    /// How many tiles have been started (tiles are started in order).
    func tilesStarted() throws -> Int { try setting("tiles_started") }

    /// Requests answered so far, over every run.
    func requests() throws -> Int { try setting("requests") }

    /// The pieces not finished yet, oldest first.
    func openPieces() throws -> [OpenPiece] {
        try db.query(
            "SELECT id, tile, west, south, east, north, window_start, window_end, cursor FROM discover_pieces WHERE state = 'open' ORDER BY id"
        )
        .map(openPiece)
    }

    /// Every creator seen so far (for the progress line of a resumed run) and the images counted.
    func seen() throws -> (creators: Set<String>, images: Int) {
        let creators = try db.query("SELECT DISTINCT creator FROM discover_images WHERE creator IS NOT NULL").compactMap
        { $0[0].string }
        return (Set(creators), try db.scalar("SELECT COUNT(*) FROM discover_images")?.int ?? 0)
    }

    /// Starts tile `index` (the next one) as one open piece.
    func startTile(_ index: Int, box: BoundingBox) throws -> OpenPiece {
        try db.transaction { conn in
            let piece = try insert(AreaPiece(box: box), tile: index, conn)
            try bump("tiles_started", to: index + 1, conn)
            return piece
        }
    }

    /// Records one answered page of `piece`: its images, and its next link (nil: the piece is done). Returns how
    /// many images were new.
    func recordPage(of piece: OpenPiece, _ sightings: [CreatorPage.Sighting], next: String?) throws -> Int {
        try db.transaction { conn in
            let added = try insert(sightings, conn)
            try conn.run(
                "UPDATE discover_pieces SET state = ?, cursor = ? WHERE id = ?",
                [.text(next == nil ? "done" : "open"), SQLiteValue(next), .integer(piece.id)])
            try bump("requests", by: 1, conn)
            return added
        }
    }

    /// Replaces `piece`, whose answer may have been capped, by `children` (one answered request).
    func split(_ piece: OpenPiece, into children: [AreaPiece]) throws -> [OpenPiece] {
        try db.transaction { conn in
            let stored = try children.map { try insert($0, tile: piece.tile, conn) }
            try conn.run("UPDATE discover_pieces SET state = 'split', cursor = NULL WHERE id = ?", [.integer(piece.id)])
            try bump("requests", by: 1, conn)
            return stored
        }
    }

    /// Ends a piece that cannot be split further with the images of its capped answer. Returns how many were new.
    func giveUp(_ piece: OpenPiece, _ sightings: [CreatorPage.Sighting]) throws -> Int {
        try db.transaction { conn in
            let added = try insert(sightings, conn)
            try conn.run(
                "UPDATE discover_pieces SET state = 'incomplete', cursor = NULL WHERE id = ?", [.integer(piece.id)])
            try bump("requests", by: 1, conn)
            return added
        }
    }

    /// Images per creator (most first, then by name), and what the discovery could not finish.
    func tally() throws -> Tally {
        var tally = Tally()
        for row in try db.query("SELECT creator, COUNT(*) FROM discover_images GROUP BY creator") {
            let count = row[1].int ?? 0
            if let name = row[0].string {
                tally.creators.append((name, count))
            } else {
                tally.imagesWithoutCreator = count
            }
        }
        tally.creators.sort { $0.images != $1.images ? $0.images > $1.images : $0.username < $1.username }
        tally.requests = try requests()
        tally.incomplete = try db.query(
            "SELECT id, tile, west, south, east, north, window_start, window_end, NULL FROM discover_pieces WHERE state = 'incomplete' ORDER BY id"
        )
        .map { try openPiece($0).piece.label }
        return tally
    }

    func close() { db.close() }

    /// Deletes the state file (and SQLite's companions) once the discovery is reported.
    static func remove(path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(path + suffix) }
    }

    // MARK: rows

    private func setting(_ key: String) throws -> Int {
        try db.scalar("SELECT value FROM discover_settings WHERE key = ?", [.text(key)])?.int ?? 0
    }

    private func bump(_ key: String, by delta: Int = 0, to value: Int? = nil, _ conn: SQLiteConnection) throws {
        let current =
            try conn.query("SELECT value FROM discover_settings WHERE key = ?", [.text(key)]).first?[0].int ?? 0
        try conn.run(
            "INSERT INTO discover_settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [.text(key), .text(String(value ?? current + delta))])
    }

    private func insert(_ piece: AreaPiece, tile: Int, _ conn: SQLiteConnection) throws -> OpenPiece {
        let b = piece.box
        try conn.run(
            "INSERT INTO discover_pieces(tile, west, south, east, north, window_start, window_end, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'open')",
            [
                SQLiteValue(tile), .real(b.west), .real(b.south), .real(b.east), .real(b.north),
                piece.window.map { .integer($0.start) } ?? .null, piece.window.map { .integer($0.end) } ?? .null,
            ])
        let id = try conn.query("SELECT last_insert_rowid()").first?[0].int64 ?? 0
        return OpenPiece(id: id, tile: tile, piece: piece, cursor: nil)
    }

    private func insert(_ sightings: [CreatorPage.Sighting], _ conn: SQLiteConnection) throws -> Int {
        var added = 0
        for sighting in sightings {
            added += try conn.run(
                "INSERT OR IGNORE INTO discover_images(id, creator) VALUES (?, ?)",
                [.text(sighting.imageID), SQLiteValue(sighting.username)])
        }
        return added
    }

    private func openPiece(_ row: SQLiteRow) throws -> OpenPiece {
        guard let west = row[2].double, let south = row[3].double, let east = row[4].double, let north = row[5].double,
            let box = try? BoundingBox(west: west, south: south, east: east, north: north)
        else {
            throw ArchiverError(
                .io,
                "the state file \(path) holds a piece of the area that is not a valid box; delete the file to start over"
            )
        }
        let window = row[6].int64.flatMap { start in row[7].int64.map { AreaPiece.Window(start: start, end: $0) } }
        return OpenPiece(
            id: row[0].int64 ?? 0, tile: row[1].int ?? 0, piece: AreaPiece(box: box, window: window),
            cursor: row[8].string)
    }
}
