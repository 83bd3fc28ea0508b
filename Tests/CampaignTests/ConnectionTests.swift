import Campaign
import Foundation
import SQLiteStore
import Testing
import TestSupport

/// Opening queues: schema versions, what is not a queue, and PostgreSQL's connection faults.
@Suite struct ConnectionTests {
    @Test(arguments: Backend.allCases)
    func aQueueFromANewerSchemaIsRefused(_ backend: Backend) throws {
        let harness = try QueueHarness(backend)
        defer { harness.close() }
        try harness.add(["alice"])
        try harness.execute("UPDATE schema_versions SET version = 99 WHERE component = 'campaign'")

        let error = #expect(throws: CampaignError.self) { try harness.connect() }
        #expect(error?.code == .newerSchema)
        #expect(
            error?.description.contains(
                "was made by a newer mapillary-archiver (queue schema 99, this one knows up to 2)") == true)
    }

    @Test func aMissingQueueFileIsNotCreatedByCommandsThatOnlyRead() throws {
        let temp = try TemporaryDirectory("queue")
        defer { temp.remove() }
        let path = temp.file("typo.sqlite")
        let error = #expect(throws: CampaignError.self) { try JobQueue(.sqlite(path: path), create: false) }
        #expect(error?.code == .notAQueue)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func anotherDatabaseIsNotTakenForAQueue() throws {
        let temp = try TemporaryDirectory("queue")
        defer { temp.remove() }
        let path = temp.file("state.sqlite")
        try SQLiteDatabase(path: path).execute("CREATE TABLE images (id TEXT)")
        let error = #expect(throws: CampaignError.self) { try JobQueue(.sqlite(path: path)) }
        #expect(error?.code == .notAQueue)
        #expect(error?.description == "\(path) is a database of something else, not a queue; give the right --queue")
    }

    @Test func aWrongPasswordIsNamedButNeverShown() throws {
        let admin = try TestPostgres.adminURL()
        var components = try #require(URLComponents(string: admin))
        components.password = "hunter2-not-it"
        let error = #expect(throws: CampaignError.self) { try JobQueue(.postgres(url: components.string!)) }
        #expect(error?.code == .authentication)
        #expect(
            error?.description
                == "PostgreSQL at 127.0.0.1:\(components.port!) refused the password of user archiver; check the password in the queue URL (or in ~/.pgpass)"
        )
        #expect(error?.description.contains("hunter2") == false)
    }

    @Test func anUnreachableServerIsNamedWithTheReason() throws {
        // Port 1 on loopback: nothing listens there, the kernel refuses at once.
        let error = #expect(throws: CampaignError.self) {
            try JobQueue(.postgres(url: "postgres://archiver:s3cret-pw@127.0.0.1:1/queue"))
        }
        #expect(error?.code == .unreachable)
        #expect(
            error?.description.hasPrefix("cannot reach the PostgreSQL queue at 127.0.0.1:1 (Connection refused)")
                == true)
        #expect(error?.description.contains("s3cret") == false)
    }

    @Test func aMissingDatabaseIsNamed() throws {
        let url = TestPostgres.database("no_such_queue", of: try TestPostgres.adminURL())
        let error = #expect(throws: CampaignError.self) { try JobQueue(.postgres(url: url)) }
        #expect(error?.code == .authentication)
        #expect(error?.description.contains("database \"no_such_queue\" does not exist") == true)
    }

    @Test func aConnectionLostMidRunIsMadeAgainAndNoResultIsLost() throws {
        let harness = try QueueHarness(.postgres)
        defer { harness.close() }
        try harness.add(["alice", "bob"])
        let job = try #require(try harness.queue.claim(worker: "w", host: "h"))

        // The server ends this worker's session, as a restart or a cut network would.
        guard case .postgres(let url) = harness.location else { return }
        let ended = try TestPostgres.psql(
            url,
            """
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'mapillary-archiver'
            """)
        #expect(ended == "1")

        try harness.queue.complete(job, result: sampleResult)
        #expect(
            try TestPostgres.psql(
                url, "SELECT state, identifier, images, uploaded FROM campaign_jobs WHERE username = 'alice'")
                == "done|mapillary-alice-original-webp|120|1")
        #expect(try harness.queue.claim(worker: "w", host: "h")?.spec.username == "bob")
    }

    @Test func aServerThatStaysAwayFailsTheCallAfterTheReconnectTime() throws {
        var policy = QueuePolicy()
        policy.reconnectFor = .seconds(1)
        let harness = try QueueHarness(.postgres, policy: policy)
        defer { harness.close() }
        guard case .postgres(let url) = harness.location else { return }
        // No new connection to this database is allowed, and the current one is ended.
        let name = try TestPostgres.psql(url, "SELECT current_database()")
        let admin = try TestPostgres.adminURL()
        try TestPostgres.psql(admin, "ALTER DATABASE \(name) WITH ALLOW_CONNECTIONS false")
        try TestPostgres.psql(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'")

        let error = #expect(throws: CampaignError.self) { try harness.queue.status() }
        #expect(error?.code == .connectionLost)
        #expect(error?.description.hasPrefix("lost the connection to the PostgreSQL queue at 127.0.0.1:") == true)

        try TestPostgres.psql(admin, "ALTER DATABASE \(name) WITH ALLOW_CONNECTIONS true")
        #expect(try harness.queue.status().counts.total == 0, "the next call connects again")
    }
}
