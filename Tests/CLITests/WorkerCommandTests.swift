import Foundation
import SandboxKit
import SQLiteStore
import Testing
import TestSupport

/// `worker` processes sharing one queue, as a campaign runs them: several machines on PostgreSQL, several workers
/// on one SQLite file, killed and paused at random moments.
/// One at a time: each starts several processes that fill the machine's cores.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct WorkerCommandTests {
    /// A worker "machine": its own output and cache folders (staging is local), the queue shared.
    static func workerArguments(
        _ h: CLIHarness, name: String, queue: String, lease: Int, jobs: Int = 3,
        extra: [String] = []
    ) -> [String] {
        [
            "worker", "--queue", queue, "--name", name, "--jobs", String(jobs), "--lease", String(lease), "--upload",
            "--until-empty", "--output", h.temp.file("\(name)/output"), "--cache-dir", h.temp.file("\(name)/cache"),
            "--verify-timeout", "30",
        ] + extra
    }

    /// Every job's row, read with psql (PostgreSQL) or SQLite's C API (a file), independently of the tool.
    static func rows(
        _ queue: String
    ) throws -> [(user: String, state: String, attempts: Int, worker: String, identifier: String)] {
        let sql =
            "SELECT username, state, attempts, COALESCE(worker, ''), COALESCE(identifier, '') FROM campaign_jobs ORDER BY username"
        if queue.hasPrefix("postgres") {
            return try TestPostgres.psql(queue, sql).split(separator: "\n").map { line in
                let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                return (f[0], f[1], Int(f[2]) ?? -1, f[3], f[4])
            }
        }
        let database = try SQLiteDatabase(path: queue)
        defer { database.close() }
        return try database.query(sql).map {
            ($0[0].string ?? "", $0[1].string ?? "", $0[2].int ?? -1, $0[3].string ?? "", $0[4].string ?? "")
        }
    }

    /// Kills the worker called `name` (SIGKILL) `rounds` times, each at a random moment while the PostgreSQL `queue`
    /// shows it holding a job an earlier instance did not hold, and starts it again with `restart` after each kill but
    /// the last. Returns each killed instance with the jobs it held, each job as "id:generation" (a job taken again
    /// has a new one); no jobs when an instance ended by itself first.
    /// It is frozen (SIGSTOP) before the queue is asked: looked at while it ran, it could finish its small jobs
    /// between the look and the kill; and a job an earlier instance left behind shows as its own until another
    /// worker takes it. Watched on a thread of its own, restart included: on a loaded machine the test's tasks waited
    /// up to 16 s for the cooperative pool, time enough for the others to end every job unseen.
    static func killRepeatedly(
        _ first: BinaryProcess, name: String, queue: String, rounds: Int,
        restart: @escaping @Sendable () throws -> BinaryProcess
    ) async throws -> [(instance: BinaryProcess, held: Set<String>)] {
        @Sendable func holds(excluding: Set<String>) throws -> Set<String> {
            let rows = try TestPostgres.psql(
                queue,
                "SELECT id || ':' || generation FROM campaign_jobs WHERE worker = '\(name)' AND state = 'running'")
            return Set(rows.split(separator: "\n").map(String.init)).subtracting(excluding)
        }
        @Sendable func killWhileHolding(_ worker: BinaryProcess, excluding: Set<String>) throws -> Set<String> {
            defer { worker.kill() }
            let deadline = ContinuousClock.now + .seconds(300)
            while worker.isRunning, ContinuousClock.now < deadline {
                guard try !holds(excluding: excluding).isEmpty else {
                    usleep(50_000)
                    continue
                }
                usleep(UInt32.random(in: 0...400_000))
                worker.send(SIGSTOP)
                let held = try holds(excluding: excluding)
                if !held.isEmpty { return held }
                worker.send(SIGCONT)
            }
            return []
        }
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                var killed: [(instance: BinaryProcess, held: Set<String>)] = []
                do {
                    var worker = first
                    for round in 1...rounds {
                        let held = try killWhileHolding(worker, excluding: killed.reduce([]) { $0.union($1.held) })
                        killed.append((worker, held))
                        if round < rounds { worker = try restart() }
                    }
                    continuation.resume(returning: killed)
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }

    /// Freezes `worker` (SIGSTOP) as soon as its running job's row in the SQLite `queue` file matches `condition`;
    /// false when the worker ended or a minute went by first. Watched on a thread of its own.
    static func stop(_ worker: BinaryProcess, whenQueue queue: String, shows condition: String) async throws -> Bool {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                do {
                    let database = try SQLiteDatabase(path: queue)
                    defer { database.close() }
                    let deadline = ContinuousClock.now + .seconds(60)
                    while worker.isRunning, ContinuousClock.now < deadline {
                        let rows = try database.query(
                            "SELECT id FROM campaign_jobs WHERE state = 'running' AND \(condition)")
                        if !rows.isEmpty {
                            worker.send(SIGSTOP)
                            return continuation.resume(returning: true)
                        }
                        usleep(20_000)
                    }
                    continuation.resume(returning: false)
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }

    /// The IA side of a finished campaign: every item there, each of its files sent in exactly one PUT unless its job
    /// was interrupted by a kill, and never two uploaders on one item at once.
    static func checkIA(
        _ h: CLIHarness, users: [String],
        rows: [(user: String, state: String, attempts: Int, worker: String, identifier: String)]
    ) throws {
        let ia = h.ia
        let overlapped = ia.overlappedIdentifiers
        let shown = ia.requestLog().filter { record in overlapped.contains { record.path.hasPrefix("/" + $0) } }
            .map { "\($0.method) \($0.target) -> \($0.status) (\($0.header("authorization")?.suffix(6) ?? ""))" }
        #expect(
            ia.counters.overlappingItemWrites == 0,
            "no two workers ever wrote to one item at the same time: \(overlapped) \(shown) \(rows.filter { overlapped.contains($0.identifier) })"
        )
        var puts: [String: Int] = [:]
        for record in ia.requestLog()
        where record.host == .s3 && record.method == "PUT" && record.queryValue("partNumber") == nil {
            puts[String(record.path.dropFirst()), default: 0] += 1
        }
        for row in rows {
            let item = try #require(ia.item(row.identifier), "\(row.user)'s item is on IA")
            #expect(!item.files.isEmpty, "\(row)")
            for (key, file) in item.files {
                // The worker's published copy, on whichever "machine" did the job.
                let local = h.temp.file("\(row.worker)/output/\(row.identifier)/\(key)")
                if FileManager.default.fileExists(atPath: local) {
                    #expect(
                        FileDigestCheck.md5(local) == file.md5, "\(row.identifier)/\(key): IA holds the worker's bytes")
                }
                if row.attempts == 1 {
                    #expect(puts["\(row.identifier)/\(key)", default: 0] <= 1, "\(row.identifier)/\(key) was sent once")
                }
            }
        }
        #expect(Set(rows.map(\.user)) == Set(users))
    }

    @Test func threeWorkersOnPostgreSQLArchiveSixtyUsersOnceThoughOneIsKilledTwice() async throws {
        var users: [SandboxConfiguration.User] = (1...3).map { .init(name: "big\($0)", imageCount: 100 + 40 * $0) }
        users += (1...57).map { .init(name: "u\($0)", imageCount: 1 + $0 % 9) }
        // Small JPEGs kept as they are: the queue's behaviour is what this test is about, not the encoder's.
        let h = try CLIHarness(users: users) {
            $0.cdnLatency = .milliseconds(15)
            $0.originalSize = PixelSize(width: 320, height: 240)
        }
        defer { h.close() }
        let queue = try TestPostgres.freshDatabase()
        let names = users.map(\.name)
        let added = try await h.run(["queue", "add", "--queue", queue, "--quality", "256", "--no-webp"] + names)
        try #require(added.status == 0, "\(added.transcript)")

        // w1 is killed twice, each time while it holds jobs, at a random moment of them, and started again on the
        // same "machine" after the first kill.
        let start: @Sendable (String) throws -> BinaryProcess = {
            try h.start(Self.workerArguments(h, name: $0, queue: queue, lease: 6))
        }
        let workers = try ["w1", "w2", "w3"].map(start)
        let rounds = try await Self.killRepeatedly(workers[0], name: "w1", queue: queue, rounds: 2) { try start("w1") }
        var killed: [BinaryProcess.Result] = []
        for (round, (instance, held)) in rounds.enumerated() {
            #expect(!held.isEmpty, "w1 was killed in round \(round + 1) while it held jobs")
            killed.append(await instance.wait())
        }
        var results: [BinaryProcess.Result] = []
        for worker in workers.dropFirst() { results.append(await worker.wait(timeout: .seconds(400))) }
        for result in results { #expect(result.status == 0 && !result.timedOut, "\(result.transcript)") }

        let rows = try Self.rows(queue)
        #expect(
            rows.count == 60 && rows.allSatisfy { $0.state == "done" },
            "every user done: \(rows.filter { $0.state != "done" })")
        let w1 = killed.map { String($0.stderr.suffix(3000)) }.joined(separator: "\n---\n")
        #expect(
            rows.contains { $0.attempts >= 2 },
            "the killed worker's jobs went to the others once their lease ran out: \(w1)")
        #expect(
            rows.contains { $0.attempts >= 2 && $0.worker != "w1" }, "another worker finished a job the killed one held"
        )
        try Self.checkIA(h, users: names, rows: rows)
        let status = try await h.run(["queue", "status", "--json", "--queue", queue])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect((json["counts"] as? [String: Any])?["done"] as? Int == 60)
    }

    @Test func twoWorkersOnOneSQLiteFileAndAPausedWorkerNeverPublishesOrUploadsAJobTakenFromIt() async throws {
        let h = try CLIHarness(users: [.init(name: "slow", imageCount: 300), .init(name: "small", imageCount: 5)]) {
            $0.cdnLatency = .milliseconds(30)
            $0.originalSize = PixelSize(width: 320, height: 240)
        }
        defer { h.close() }
        let queue = h.temp.file("queue.sqlite")
        let added = try await h.run(["queue", "add", "--queue", queue, "--quality", "256", "slow"])
        try #require(added.status == 0, "\(added.transcript)")
        let paused = try h.start(
            Self.workerArguments(
                h, name: "pa", queue: queue, lease: 2, jobs: 1,
                extra: ["--concurrency", "2"]))
        // Its heartbeats carry its progress into the queue (the campaign page and `queue status` show it); it is
        // frozen (SIGSTOP) once they do. Watched on a thread of its own, the queue file read directly: the job takes
        // seconds only, and a loaded machine can keep this test's tasks waiting longer than that.
        let reported = try await Self.stop(
            paused, whenQueue: queue, shows: "progress_images > 0 AND progress_listing_complete = 1")
        try #require(reported, "the worker's heartbeats reported its progress while it ran the job")
        let status = try await h.run(["queue", "status", "--json", "--queue", queue])
        let running =
            (try? JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])?["running"]
            as? [[String: Any]]
        let progress = running?.first?["progress"] as? [String: Any]
        #expect(
            (progress?["images"] as? Int ?? 0) > 0 && progress?["listing_complete"] as? Bool == true,
            "\(status.transcript)")
        // The lease runs out while it is stopped; another worker on the same queue file takes the job.
        _ = try await h.run(["queue", "add", "--queue", queue, "--quality", "256", "small"])
        let other = try await h.run(Self.workerArguments(h, name: "pb", queue: queue, lease: 2), timeout: .seconds(300))
        #expect(other.status == 0, "\(other.transcript)")
        h.ia.clearRequestLog()
        paused.send(SIGCONT)
        let resumed = await paused.wait(timeout: .seconds(120))
        #expect(!resumed.timedOut)
        #expect(resumed.stderr.contains("slow: this worker no longer holds the job"), "\(resumed.transcript)")
        #expect(
            !FileManager.default.fileExists(atPath: h.temp.file("pa/output/mapillary-slow-256-webp")),
            "the paused worker did not publish")
        #expect(
            !h.ia.requestLog().contains { $0.method == "PUT" || $0.method == "POST" },
            "the paused worker sent nothing to IA after it woke up")
        let rows = try Self.rows(queue)
        #expect(rows.map(\.state) == ["done", "done"] && rows.map(\.worker) == ["pb", "pb"], "\(rows)")
        try Self.checkIA(h, users: ["slow", "small"], rows: rows)
    }

    @Test func aWorkerWithNothingToDoEndsWithUntilEmptyAndOtherwiseWaitsUntilStopped() async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 1)])
        defer { h.close() }
        let queue = h.temp.file("queue.sqlite")
        _ = try await h.run(["queue", "add", "--queue", queue, "alice"])
        _ = try await h.run(["queue", "remove", "--queue", queue, "alice"])
        let empty = try await h.run(
            ["worker", "--queue", queue, "--until-empty", "--output", h.output], timeout: .seconds(60))
        #expect(empty.status == 0 && empty.stdout.contains("no jobs were run"), "\(empty.transcript)")

        let waiting = try h.start(["worker", "--queue", queue, "--output", h.output])
        try await Task.sleep(for: .seconds(2))
        #expect(waiting.isRunning, "without --until-empty it waits for work")
        waiting.send(SIGTERM)
        let stopped = await waiting.wait(timeout: .seconds(30))
        #expect(stopped.status == 0 && stopped.stdout.contains("no jobs were run"), "\(stopped.transcript)")
    }

    @Test func anUnreachableQueueServerIsOneSentenceWithoutThePassword() async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 1)])
        defer { h.close() }
        let result = try await h.run(
            [
                "worker", "--queue", "postgres://archiver:s3cret-pw@127.0.0.1:1/campaign", "--until-empty",
                "--output", h.output,
            ], timeout: .seconds(120))
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.stderr.contains("127.0.0.1:1"), "\(result.stderr)")
        #expect(!(result.stdout + result.stderr).contains("s3cret-pw"))
    }
}

/// MD5 of a file, read with Python (an independent reader).
enum FileDigestCheck {
    static func md5(_ path: String) -> String? {
        let result = try? ExternalTool.run(
            "python3",
            ["-c", "import hashlib,sys; print(hashlib.md5(open(sys.argv[1],'rb').read()).hexdigest())", path])
        return result?.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
