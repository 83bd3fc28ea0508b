import Campaign
import Foundation
import Testing
import TestSupport

/// `mapillary-archiver queue …` as a user types it, on a SQLite file and on PostgreSQL.
@Suite struct QueueCommandTests {
    enum Backend: String, CaseIterable, Sendable { case sqlite, postgres }

    /// Runs the binary with a clean environment: its own home and data folder, and `MAPILLARY_ARCHIVER_QUEUE`.
    static func run(_ arguments: [String], queue: String, temp: TemporaryDirectory) throws -> ExternalTool.Result {
        try ExternalTool.run(
            BuiltBinary.path, ["queue"] + arguments,
            environment: [
                "HOME": temp.path, "XDG_DATA_HOME": temp.file("data"), QueueLocation.environmentVariable: queue,
            ])
    }

    static func queue(_ backend: Backend, _ temp: TemporaryDirectory) throws -> String {
        switch backend {
        case .sqlite: return temp.file("campaign.sqlite")
        case .postgres: return try TestPostgres.freshDatabase()
        }
    }

    @Test(arguments: Backend.allCases)
    func statusJSONShowsWhatWorkersDid(_ backend: Backend) throws {
        let temp = try TemporaryDirectory("queue-cli")
        defer { temp.remove() }
        let url = try Self.queue(backend, temp)

        let added = try Self.run(["add", "alice", "bob", "carol", "--quality", "2048"], queue: url, temp: temp)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("3 added, 0 queued again, 0 already in the queue"))
        let twice = try Self.run(["add", "alice"], queue: url, temp: temp)
        #expect(
            twice.stdout.contains("1 added, 0 queued again, 0 already in the queue"), "another quality is another job")
        let again = try Self.run(["add", "alice", "--quality", "2048"], queue: url, temp: temp)
        #expect(again.stdout.contains("alice (2048, webp) is already pending"))

        // Two workers: one finished alice, one is on bob; carol failed for good.
        let queue = try JobQueue(try QueueLocation(parsing: url))
        defer { queue.close() }
        let alice = try #require(try queue.claim(worker: "w1", host: "machine-a"))
        try queue.complete(
            alice,
            result: JobResult(
                identifier: "mapillary-alice-2048-webp", images: 300, bytes: 90_000_000, uploaded: true, verified: true)
        )
        let bob = try #require(try queue.claim(worker: "w2", host: "machine-b"))
        #expect(bob.spec.username == "bob")
        let carol = try #require(try queue.claim(worker: "w1", host: "machine-a"))
        try queue.fail(carol, sentence: "Mapillary knows no user carol", kind: .permanent)

        let result = try Self.run(["status", "--json"], queue: url, temp: temp)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let counts = try #require(json["counts"] as? [String: Int])
        #expect(counts == ["pending": 1, "waiting": 0, "running": 1, "done": 1, "failed": 1, "total": 4])
        let running = try #require((json["running"] as? [[String: Any]])?.first)
        #expect(running["username"] as? String == "bob")
        #expect(running["worker"] as? String == "w2" && running["host"] as? String == "machine-b")
        #expect((running["heartbeat_age_seconds"] as? Double).map { $0 >= 0 && $0 < 60 } == true)
        let failure = try #require((json["recent_failures"] as? [[String: Any]])?.first)
        #expect(failure["username"] as? String == "carol" && failure["state"] as? String == "failed")
        #expect(failure["error"] as? String == "Mapillary knows no user carol")
        let hour = try #require(json["last_hour"] as? [String: Any])
        #expect(hour["jobs"] as? Int == 1 && hour["images"] as? Int == 300 && hour["bytes"] as? Int == 90_000_000)
        #expect(json["eta_seconds"] as? Double != nil)
        if case .postgres = backend {
            let password = try #require(URLComponents(string: url)?.password)
            #expect(json["queue"] as? String == url.replacingOccurrences(of: password, with: "***"))
            #expect(!result.stdout.contains(password))
        }

        let table = try Self.run(["status"], queue: url, temp: temp)
        #expect(table.stdout.contains("jobs: 1 pending, 1 running, 1 done, 1 failed"))
        #expect(table.stdout.contains("bob (2048, webp)  w2 on machine-b  attempt 1"))
        #expect(table.stdout.contains("carol (2048, webp)  failed for good after 1 attempt"))

        let retried = try Self.run(["retry", "--failed"], queue: url, temp: temp)
        #expect(retried.stdout.contains("carol (2048, webp): queued again"))
        let removed = try Self.run(["remove", "bob", "zed"], queue: url, temp: temp)
        #expect(removed.stdout.contains("bob (2048, webp): removed, was running (it stops on w2)"))
        #expect(removed.stdout.contains("zed is not in the queue"))
    }

    @Test func aUsernameTheToolWouldRefuseAddsNothing() throws {
        let temp = try TemporaryDirectory("queue-cli")
        defer { temp.remove() }
        try "alice\n# a comment\nhttps://www.mapillary.com/app/user/bob\n".write(
            toFile: temp.file("users.txt"), atomically: true, encoding: .utf8)

        let result = try Self.run(
            ["add", "carol", "--users-file", temp.file("users.txt")], queue: temp.file("q.sqlite"), temp: temp)
        #expect(result.status == 2)
        // The users file is read by `download`'s rule, which names the line.
        #expect(
            result.stderr.hasPrefix(
                "error: the users file \(temp.file("users.txt")), line 3: the username \"https://www.mapillary.com/app/user/bob\" contains '/', which no Mapillary username has; give the name, not a URL\n"
            ),
            "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: temp.file("q.sqlite")))
    }

    @Test func aQueueThatIsNeitherAPathNorPostgresIsAUsageError() throws {
        let temp = try TemporaryDirectory("queue-cli")
        defer { temp.remove() }
        let result = try Self.run(["status"], queue: "mysql://ann:topsecret@db.example.org/campaign", temp: temp)
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "error: the queue 'mysql://ann:***@db.example.org/campaign' is neither a file path nor a postgres:// URL; give a path (a SQLite file, for one machine) or postgres://USER@HOST/DATABASE\n"
        )
    }

    @Test func anUnreachableServerIsNamedAndTheExitIsOne() throws {
        let temp = try TemporaryDirectory("queue-cli")
        defer { temp.remove() }
        let result = try Self.run(["add", "alice"], queue: "postgres://ann:topsecret@127.0.0.1:1/campaign", temp: temp)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: cannot reach the PostgreSQL queue at 127.0.0.1:1 (Connection refused)"))
        #expect(!result.stderr.contains("topsecret"))
    }

    @Test func theDefaultQueueIsAFileInTheDataFolder() throws {
        let temp = try TemporaryDirectory("queue-cli")
        defer { temp.remove() }
        let result = try ExternalTool.run(
            BuiltBinary.path, ["queue", "add", "alice"],
            environment: [
                "HOME": temp.path, "XDG_DATA_HOME": temp.file("data"), QueueLocation.environmentVariable: "",
            ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: temp.file("data/mapillary-archiver/queue.sqlite")))
    }
}
