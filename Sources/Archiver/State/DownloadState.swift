import SQLiteStore

/// The download state of one item, in the item's SQLite database (`.mapillary-archiver/state.sqlite`):
/// the API cursor, every listed record with its status, and every tar's committed length.
///
/// Order of a commit (see DESIGN "State and crash safety"): tar bytes written → fsync → ``commit(_:)``.
/// An image is done only once its row says so; anything else is fetched again on the next run.
public final class DownloadState: Sendable {
    public enum Status: Int64, Sendable {
        case pending = 0
        case done = 1
        case failed = 2  // transient: tried again on the next run
        case unavailable = 3  // permanent: gone from Mapillary, no rendition, not a JPEG
    }

    /// A listed record as stored.
    public struct Listed: Sendable {
        public let id: String
        public let raw: [UInt8]
        public let captureDate: String
        public let capturedAtMillis: Int64?
        public let sequence: String?
        public let thumbURL: String?

        public init(
            id: String, raw: [UInt8], captureDate: String, capturedAtMillis: Int64?, sequence: String?,
            thumbURL: String?
        ) {
            self.id = id
            self.raw = raw
            self.captureDate = captureDate
            self.capturedAtMillis = capturedAtMillis
            self.sequence = sequence
            self.thumbURL = thumbURL
        }
    }

    /// A pending image handed to the fetchers.
    public struct Pending: Sendable {
        public let seq: Int64
        public let id: String
        public let raw: [UInt8]
        public let thumbURL: String?
        public let attempts: Int
    }

    /// An image written to its tar (or loose file) and synced, ready to be recorded as done.
    public struct Done: Sendable {
        public let id: String
        public let container: String  // tar name, or the loose file's relative path
        public let endOffset: Int64  // end of the member in its tar; 0 for loose files
        public let bytes: Int64
        /// The image's own MD5 (the pipeline computes it on the encoder threads, in parallel).
        public let md5: String
        public let format: String  // "webp" or "jpg"

        public init(id: String, container: String, endOffset: Int64, bytes: Int64, md5: String, format: String) {
            self.id = id
            self.container = container
            self.endOffset = endOffset
            self.bytes = bytes
            self.md5 = md5
            self.format = format
        }
    }

    /// A tar's committed length and running checksum.
    public struct TarRecord: Sendable, Equatable {
        public let name: String
        public let committedLength: Int64
        public let md5State: [UInt8]?
        public let published: Bool

        public init(name: String, committedLength: Int64, md5State: [UInt8]?, published: Bool = false) {
            self.name = name
            self.committedLength = committedLength
            self.md5State = md5State
            self.published = published
        }
    }

    public struct Counts: Sendable, Equatable {
        public var listed = 0, done = 0, pending = 0, failed = 0, unavailable = 0
        public var doneBytes: Int64 = 0
    }

    public let database: SQLiteDatabase

    /// Opens the state in `database`, bringing its schema up to date unless `migrate` is false (readers that must
    /// not change an item, and use none of the newer columns).
    public init(database: SQLiteDatabase, migrate: Bool = true) throws {
        self.database = database
        guard migrate else { return }
        try database.migrate(
            component: "download",
            steps: [
                """
                CREATE TABLE download_meta(key TEXT PRIMARY KEY, value TEXT);
                CREATE TABLE download_images(
                    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, raw BLOB NOT NULL,
                    capture_date TEXT NOT NULL, captured_at INTEGER, sequence TEXT, thumb_url TEXT,
                    status INTEGER NOT NULL DEFAULT 0, container TEXT, end_offset INTEGER, bytes INTEGER,
                    md5 TEXT, format TEXT, reason TEXT, attempts INTEGER NOT NULL DEFAULT 0);
                CREATE INDEX download_images_status_seq ON download_images(status, seq);
                CREATE TABLE download_tars(name TEXT PRIMARY KEY, committed_length INTEGER NOT NULL,
                    md5_state BLOB, published INTEGER NOT NULL DEFAULT 0);
                """,
                // The listing pass that last listed each image (the `listing_pass` value; `restartListing` starts one).
                "ALTER TABLE download_images ADD COLUMN listed_pass INTEGER NOT NULL DEFAULT 0;",
                // Tars and files removed from the item after IA confirmed them (`worker --delete-after-upload`).
                "CREATE TABLE download_remote(container TEXT PRIMARY KEY);",
            ])
    }

    // MARK: - Settings and cursor

    public func value(_ key: String) throws -> String? {
        try database.scalar("SELECT value FROM download_meta WHERE key = ?", [.text(key)])?.string
    }

    public func setValue(_ key: String, _ value: String?) throws {
        if let value {
            try database.run(
                "INSERT INTO download_meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [.text(key), .text(value)])
        } else {
            try database.run("DELETE FROM download_meta WHERE key = ?", [.text(key)])
        }
    }

    /// The saved `paging.next` URL, if the listing stopped mid-way.
    public func cursor() throws -> String? { try value("cursor") }

    public func listingComplete() throws -> Bool { try value("listing_complete") == "1" }

    /// Starts the listing over (a later run of a published item lists again to find new images): a new pass.
    public func restartListing() throws {
        try database.transaction { conn in
            try conn.run("DELETE FROM download_meta WHERE key IN ('cursor', 'listing_complete')")
            try conn.run(
                """
                INSERT INTO download_meta(key, value) VALUES('listing_pass', '1')
                ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
                """)
        }
    }

    // MARK: - Listing

    /// What recording a page did.
    public enum PageRecording: Sendable, Equatable {
        /// The page was recorded: `added` ids were new to the item; `repeated` ids had already been listed in this
        /// pass (their first record was kept).
        case recorded(added: Int, repeated: [String])
        /// Every record of the page had already been listed in this pass: nothing was recorded, the cursor stays.
        case alreadyListed
    }

    /// Records one page in one transaction, the first record of an id winning: ids new to the item become
    /// pending; ids listed by an earlier pass (a later run of a published item) keep their record, and the ones
    /// not yet archived take the fresh thumb URL; ids already listed in this pass are left alone and reported.
    /// The cursor moves to `next` (or the listing is complete). A non-empty page whose ids were all listed in this
    /// pass records nothing.
    public func recordPage(_ records: [Listed], next: String?) throws -> PageRecording {
        try database.transaction { conn in
            let pass =
                try conn.query("SELECT CAST(value AS INTEGER) FROM download_meta WHERE key = 'listing_pass'")
                .first?[0].int64 ?? 0
            var seq = try conn.query("SELECT COALESCE(MAX(seq), 0) FROM download_images").first?[0].int64 ?? 0
            var earlierPass: Set<String> = []
            var thisPass: Set<String> = []
            for record in records {
                let row = try conn.query("SELECT listed_pass FROM download_images WHERE id = ?", [.text(record.id)])
                    .first
                switch row?[0].int64 {
                case nil: break
                case pass?: thisPass.insert(record.id)
                default: earlierPass.insert(record.id)
                }
            }
            if !records.isEmpty && records.allSatisfy({ thisPass.contains($0.id) }) { return .alreadyListed }
            var added = 0
            var repeated: [String] = []
            for record in records {
                if thisPass.contains(record.id) {
                    repeated.append(record.id)
                } else if earlierPass.contains(record.id) {
                    try conn.run(
                        """
                        UPDATE download_images SET listed_pass = ?,
                        thumb_url = CASE WHEN status = 1 THEN thumb_url ELSE ? END WHERE id = ?
                        """, [.integer(pass), SQLiteValue(record.thumbURL), .text(record.id)])
                } else {
                    seq += 1
                    added += 1
                    try conn.run(
                        """
                        INSERT INTO download_images(id, seq, raw, capture_date, captured_at, sequence, thumb_url,
                        listed_pass) VALUES(?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                        [
                            .text(record.id), .integer(seq), .blob(record.raw), .text(record.captureDate),
                            record.capturedAtMillis.map { .integer($0) } ?? .null, SQLiteValue(record.sequence),
                            SQLiteValue(record.thumbURL), .integer(pass),
                        ])
                }
                thisPass.insert(record.id)
            }
            if let next {
                try conn.run(
                    "INSERT INTO download_meta(key, value) VALUES('cursor', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [.text(next)])
            } else {
                try conn.run("DELETE FROM download_meta WHERE key = 'cursor'")
                try conn.run(
                    "INSERT INTO download_meta(key, value) VALUES('listing_complete', '1') ON CONFLICT(key) DO UPDATE SET value = '1'"
                )
            }
            return .recorded(added: added, repeated: repeated)
        }
    }

    // MARK: - Scheduling

    /// Pending images after `seq`, in listing order.
    public func pending(after seq: Int64, limit: Int) throws -> [Pending] {
        try database.query(
            """
            SELECT seq, id, raw, thumb_url, attempts FROM download_images
            WHERE status = 0 AND seq > ? ORDER BY seq LIMIT ?
            """, [.integer(seq), .integer(Int64(limit))]
        ).map {
            Pending(
                seq: $0[0].int64 ?? 0, id: $0[1].string ?? "", raw: $0[2].bytes ?? [],
                thumbURL: $0[3].string, attempts: $0[4].int ?? 0)
        }
    }

    /// Images that failed for a passing reason become pending again (at the start of a run).
    public func retryFailed() throws {
        try database.run("UPDATE download_images SET status = 0 WHERE status = 2")
    }

    public func counts() throws -> Counts {
        var counts = Counts()
        for row in try database.query(
            "SELECT status, count(*), COALESCE(SUM(bytes), 0) FROM download_images GROUP BY status")
        {
            let n = row[1].int ?? 0
            counts.listed += n
            switch Status(rawValue: row[0].int64 ?? -1) {
            case .pending: counts.pending = n
            case .done: counts.done = n; counts.doneBytes = row[2].int64 ?? 0
            case .failed: counts.failed = n
            case .unavailable: counts.unavailable = n
            case nil: break
            }
        }
        return counts
    }

    // MARK: - Commit

    /// Records synced images as done and the tars' new committed lengths, in one transaction.
    public func commit(_ images: [Done], tars: [TarRecord]) throws {
        guard !images.isEmpty || !tars.isEmpty else { return }
        try database.transaction { conn in
            for image in images {
                try conn.run(
                    """
                    UPDATE download_images SET status = 1, container = ?, end_offset = ?, bytes = ?, md5 = ?,
                    format = ?, reason = NULL WHERE id = ?
                    """,
                    [
                        .text(image.container), .integer(image.endOffset), .integer(image.bytes), .text(image.md5),
                        .text(image.format), .text(image.id),
                    ])
            }
            for tar in tars {
                try conn.run(
                    """
                    INSERT INTO download_tars(name, committed_length, md5_state, published) VALUES(?, ?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET committed_length = excluded.committed_length, md5_state = excluded.md5_state
                    """,
                    [
                        .text(tar.name), .integer(tar.committedLength), SQLiteValue(tar.md5State),
                        SQLiteValue(tar.published),
                    ])
            }
        }
    }

    /// Records that an image could not be archived in this run.
    public func markFailed(id: String, reason: String, permanent: Bool) throws {
        try database.run(
            "UPDATE download_images SET status = ?, reason = ?, attempts = attempts + 1 WHERE id = ?",
            [.integer(permanent ? Status.unavailable.rawValue : Status.failed.rawValue), .text(reason), .text(id)])
    }

    /// Stores a refreshed thumb URL so a later resume starts from it.
    public func updateThumbURL(id: String, url: String) throws {
        try database.run("UPDATE download_images SET thumb_url = ? WHERE id = ?", [.text(url), .text(id)])
    }

    public func tars() throws -> [TarRecord] {
        try database.query("SELECT name, committed_length, md5_state, published FROM download_tars ORDER BY name").map {
            TarRecord(
                name: $0[0].string ?? "", committedLength: $0[1].int64 ?? 0, md5State: $0[2].bytes,
                published: ($0[3].int ?? 0) != 0)
        }
    }

    /// Marks every tar as published: a later run never appends to them.
    public func markAllTarsPublished() throws {
        try database.run("UPDATE download_tars SET published = 1")
    }

    /// Failure reasons grouped, most frequent first (for the summary).
    public func failureReasons() throws -> [(reason: String, count: Int, permanent: Bool)] {
        try database.query(
            """
            SELECT reason, count(*), status FROM download_images WHERE status IN (2, 3)
            GROUP BY reason, status ORDER BY count(*) DESC
            """
        ).map { ($0[0].string ?? "unknown", $0[1].int ?? 0, $0[2].int64 == Status.unavailable.rawValue) }
    }

    /// Visits every listed record's raw JSON in listing order, in batches (constant memory).
    public func forEachRecord(_ body: (_ raw: [UInt8], _ status: Status, _ container: String?) throws -> Void) throws {
        var after: Int64 = 0
        while true {
            let rows = try database.query(
                "SELECT seq, raw, status, container FROM download_images WHERE seq > ? ORDER BY seq LIMIT 2000",
                [.integer(after)])
            if rows.isEmpty { return }
            for row in rows {
                after = row[0].int64 ?? after
                try body(row[1].bytes ?? [], Status(rawValue: row[2].int64 ?? 0) ?? .pending, row[3].string)
            }
        }
    }

    /// First and last capture dates (UTC) of done images.
    public func captureDateRange() throws -> (first: String, last: String)? {
        let row = try database.query(
            "SELECT MIN(capture_date), MAX(capture_date) FROM download_images WHERE status = 1 AND capture_date != 'unknown-date'"
        ).first
        guard let first = row?[0].string, let last = row?[1].string else { return nil }
        return (first, last)
    }

    /// Ids of done images (for verify).
    public func doneIDs() throws -> Set<String> {
        Set(try database.query("SELECT id FROM download_images WHERE status = 1").compactMap { $0[0].string })
    }

    /// Ids of done images whose tar (or loose file) is in the item folder, not only on IA.
    public func localDoneIDs() throws -> Set<String> {
        guard try hasTable("download_remote") else { return try doneIDs() }
        return Set(
            try database.query(
                """
                SELECT id FROM download_images WHERE status = 1
                AND container NOT IN (SELECT container FROM download_remote)
                """
            ).compactMap { $0[0].string })
    }

    /// The tars (or loose files) holding done images.
    public func containers() throws -> Set<String> {
        Set(
            try database.query(
                "SELECT DISTINCT container FROM download_images WHERE status = 1 AND container IS NOT NULL"
            )
            .compactMap { $0[0].string })
    }

    /// Records `containers` as removed from the item after IA confirmed them: they live only on IA now.
    public func markOnlyOnIA(_ containers: Set<String>) throws {
        try database.transaction { conn in
            for name in containers.sorted() {
                try conn.run("INSERT INTO download_remote(container) VALUES(?) ON CONFLICT DO NOTHING", [.text(name)])
            }
        }
    }

    /// Seeds a new state from the item on IA (a later run whose local copy is gone): `records` (from IA's
    /// `metadata.jsonl.gz`) count as archived in `container`, which lives only on IA; an id met twice keeps its
    /// first record. Returns how many were new. Call in batches; then ``seedPublishedTars(_:)``.
    @discardableResult
    public func seedArchived(_ records: [Listed], container: String) throws -> Int {
        try database.transaction { conn in
            var seq = try conn.query("SELECT COALESCE(MAX(seq), 0) FROM download_images").first?[0].int64 ?? 0
            var added = 0
            for record in records {
                seq += 1
                added += try conn.run(
                    """
                    INSERT INTO download_images(id, seq, raw, capture_date, captured_at, sequence, thumb_url, status,
                    container) VALUES(?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT(id) DO NOTHING
                    """,
                    [
                        .text(record.id), .integer(seq), .blob(record.raw), .text(record.captureDate),
                        record.capturedAtMillis.map { .integer($0) } ?? .null, SQLiteValue(record.sequence),
                        SQLiteValue(record.thumbURL), .text(container),
                    ])
            }
            try conn.run("INSERT INTO download_remote(container) VALUES(?) ON CONFLICT DO NOTHING", [.text(container)])
            return added
        }
    }

    /// Records the tars IA holds as published and living only there: new images never go into them, and an
    /// addendum's name avoids theirs.
    public func seedPublishedTars(_ tars: [(name: String, size: Int64)]) throws {
        try database.transaction { conn in
            for tar in tars {
                try conn.run(
                    """
                    INSERT INTO download_tars(name, committed_length, md5_state, published) VALUES(?, ?, NULL, 1)
                    ON CONFLICT(name) DO UPDATE SET published = 1
                    """, [.text(tar.name), .integer(tar.size)])
                try conn.run(
                    "INSERT INTO download_remote(container) VALUES(?) ON CONFLICT DO NOTHING", [.text(tar.name)])
            }
        }
    }

    /// How many done images live only on IA.
    public func remoteOnlyImages() throws -> Int {
        guard try hasTable("download_remote") else { return 0 }
        return try database.scalar(
            """
            SELECT count(*) FROM download_images WHERE status = 1 AND container IN (SELECT container FROM download_remote)
            """)?.int ?? 0
    }

    private func hasTable(_ name: String) throws -> Bool {
        try !database.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [.text(name)]).isEmpty
    }
}
