/// The queue's tables, the same columns on SQLite and PostgreSQL, as numbered migrations. A database whose
/// recorded version is higher than ``steps(for:)`` knows was made by a newer tool and is refused.
///
/// Times are milliseconds since 1970 (UTC) of the database's clock; booleans are 0 or 1.
enum QueueSchema {
    /// The component name in `schema_versions` (the table `SQLiteDatabase.migrate` keeps; PostgreSQL has the same).
    static let component = "campaign"

    static func steps(for dialect: QueueDialect) -> [String] {
        [
            """
            CREATE TABLE campaign_jobs (
                id \(dialect.idColumn),
                username TEXT NOT NULL,
                quality TEXT NOT NULL,
                webp INTEGER NOT NULL,
                priority INTEGER NOT NULL DEFAULT 0,
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                worker TEXT,
                host TEXT,
                generation BIGINT NOT NULL DEFAULT 0,
                lease_until BIGINT,
                heartbeat_at BIGINT,
                not_before BIGINT NOT NULL DEFAULT 0,
                added_at BIGINT NOT NULL,
                started_at BIGINT,
                finished_at BIGINT,
                identifier TEXT,
                images BIGINT,
                bytes BIGINT,
                uploaded INTEGER,
                verified INTEGER,
                UNIQUE (username, quality, webp)
            );
            CREATE INDEX campaign_jobs_pending ON campaign_jobs (priority DESC, id) WHERE state = 'pending';
            CREATE INDEX campaign_jobs_running ON campaign_jobs (lease_until) WHERE state = 'running';
            CREATE INDEX campaign_jobs_finished ON campaign_jobs (finished_at) WHERE state IN ('done', 'failed')
            """,
            // 2: the progress a running job's worker reports with its heartbeat (``JobProgress``).
            """
            ALTER TABLE campaign_jobs ADD COLUMN progress_images BIGINT;
            ALTER TABLE campaign_jobs ADD COLUMN progress_listed BIGINT;
            ALTER TABLE campaign_jobs ADD COLUMN progress_listing_complete INTEGER;
            ALTER TABLE campaign_jobs ADD COLUMN progress_bytes BIGINT
            """,
        ]
    }

    static func newerSchema(_ name: String, version: Int, known: Int) -> CampaignError {
        CampaignError(
            .newerSchema,
            "the queue \(name) was made by a newer mapillary-archiver (queue schema \(version), this one knows up to \(known)); upgrade mapillary-archiver on this machine"
        )
    }
}
