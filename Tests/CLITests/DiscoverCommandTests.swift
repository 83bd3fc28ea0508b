import Foundation
import SandboxKit
import SQLiteStore
import Testing
import TestSupport

/// `mapillary-archiver discover` as a user types it, against a sandbox that knows who made every image where.
@Suite(.timeLimit(.minutes(3)))
struct DiscoverCommandTests {
    /// 0.3° × 0.3°: 16 tiles.
    static let region = SandboxConfiguration.Region(west: 13.2, south: 52.4, east: 13.5, north: 52.7)
    static let area = "13.2,52.4,13.5,52.7"

    static func harness(_ configure: @escaping (inout SandboxConfiguration) -> Void = { _ in }) throws -> CLIHarness {
        try CLIHarness(label: "discover", users: [.init(name: "alice", imageCount: 20)]) {
            $0.areas = [.init(region: region, creators: 12, images: 600)]
            configure(&$0)
        }
    }

    /// `username → images` from the table's rows (`rank  username  images`).
    static func tableCounts(_ stdout: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in stdout.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 3, Int(fields[0]) != nil,
                let images = Int(fields[2].replacingOccurrences(of: ",", with: ""))
            else { continue }
            counts[String(fields[1])] = images
        }
        return counts
    }

    /// The state files of `discover` in the harness's cache.
    static func stateFiles(_ h: CLIHarness) -> [String] {
        let folder = h.cache + "/.discover"
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".sqlite") }.map { folder + "/" + $0 }
    }

    @Test func discoverPrintsEveryCreatorOfTheAreaAsATableOrAsJSONAndLeavesOutArchivedOnes() async throws {
        let h = try Self.harness()
        defer { h.close() }
        let truth = h.mapillary.creatorCounts(in: Self.region)
        let table = try await h.run(["discover", "--bbox", Self.area])
        #expect(table.status == 0, "\(table.transcript)")
        #expect(
            table.stdout.hasPrefix("Creators in 13.2,52.4,13.5,52.7: 12 creators, 600 images (16 tiles, 16 requests, "))
        #expect(Self.tableCounts(table.stdout) == truth)
        #expect(table.stderr.contains("discover 13.2,52.4,13.5,52.7: 16 tiles"))
        #expect(Self.stateFiles(h).isEmpty, "the state is removed once the report is printed")

        let top = try #require(truth.max { $0.value < $1.value }).key
        try h.ia.preload(
            .init(
                identifier: "mapillary-\(top)-original-webp",
                metadata: ["mapillary_archiver": ["0.1.0"], "mapillary_user": [top]]))
        let json = try await h.run([
            "discover", "--bbox", Self.area, "--json", "--quiet", "--exclude-archived", "--min-images", "2",
        ])
        #expect(json.status == 0, "\(json.transcript)")
        #expect(json.stderr.isEmpty, "--quiet: no progress")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let creators = try #require(object["creators"] as? [[String: Any]])
        var found: [String: Int] = [:]
        for creator in creators { found[creator["username"] as? String ?? ""] = creator["images"] as? Int }
        var expected = truth
        expected[top] = nil
        #expect(found == expected)
        #expect(creators.first?["rank"] as? Int == 1)
        let archived = (object["left_out"] as? [String: Any])?["archived"] as? [[String: Any]]
        #expect(archived?.first?["identifiers"] as? [String] == ["mapillary-\(top)-original-webp"])
    }

    @Test func enqueueAddsTheReportedCreatorsToTheQueueOnce() async throws {
        let h = try Self.harness()
        defer { h.close() }
        let truth = h.mapillary.creatorCounts(in: Self.region)
        let queue = h.temp.file("campaign/queue.sqlite")
        let first = try await h.run([
            "discover", "--bbox", Self.area, "--min-images", "30", "--enqueue", "--queue", queue,
            "--quality", "2048", "--quiet",
        ])
        #expect(first.status == 0, "\(first.transcript)")
        let expected = truth.filter { $0.value >= 30 }
        #expect(
            first.stdout.hasSuffix(
                "Queued in \(queue) (2048, webp): \(expected.count) added, 0 queued again, 0 already in the queue.\n"))
        let db = try SQLiteDatabase(path: queue)
        let jobs = try db.query("SELECT username, quality, webp, state FROM campaign_jobs ORDER BY id")
        db.close()
        #expect(Set(jobs.compactMap { $0[0].string }) == Set(expected.keys))
        #expect(jobs.allSatisfy { $0[1].string == "2048" && $0[2].int == 1 && $0[3].string == "pending" })
        let order = jobs.compactMap { $0[0].string }.compactMap { truth[$0] }
        #expect(order == order.sorted(by: >), "most images first")

        let again = try await h.run([
            "discover", "--bbox", Self.area, "--min-images", "30", "--enqueue", "--queue", queue,
            "--quality", "2048", "--json", "--quiet",
        ])
        #expect(again.status == 0, "\(again.transcript)")
        #expect(
            again.stderr
                == "Queued in \(queue) (2048, webp): 0 added, 0 queued again, \(expected.count) already in the queue.\n"
        )
        #expect(
            (try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any]) != nil,
            "stdout stays JSON")

        let stray = try await h.run(["discover", "--bbox", Self.area, "--queue", queue])
        #expect(
            stray.status == 2
                && stray.stderr.hasPrefix(
                    "error: --queue, --quality and --no-webp go with --enqueue; add it, or leave them out\n")
        )
    }

    @Test func aKilledDiscoverContinuesFromThePiecesItHadNotFinished() async throws {
        // Capped answers of 30 records: about 200 requests of 20 ms each, two at a time.
        let h = try Self.harness {
            $0.bboxCap = 30
            $0.apiLatency = .milliseconds(20)
        }
        defer { h.close() }
        let first = try h.start(["discover", "--bbox", Self.area, "--page-size", "30"])
        let mapillary = h.mapillary
        let killer = Thread {
            while first.isRunning && mapillary.counters.pageRequests < 40 { usleep(2_000) }
            first.kill()
        }
        killer.start()
        let killed = await first.wait()
        try #require(killed.killedBySignal, "killed mid-run: \(killed.transcript)")
        let statePath = try #require(Self.stateFiles(h).first)
        let db = try SQLiteDatabase(path: statePath)
        let finished = Set(
            try db.query(
                "SELECT west, south, east, north FROM discover_pieces WHERE state IN ('done', 'split') AND window_start IS NULL"
            )
            .map { row in (0..<4).map { "\(row[$0].double ?? 0)" }.joined(separator: ",") })
        let open = try db.scalar("SELECT COUNT(*) FROM discover_pieces WHERE state = 'open'")?.int ?? 0
        db.close()
        #expect(finished.count >= 20 && open > 0, "the kill landed mid-run with work saved")

        h.mapillary.clearRequestLog()
        let resumed = try await h.run(["discover", "--bbox", Self.area, "--page-size", "30"])
        #expect(resumed.status == 0, "\(resumed.transcript)")
        #expect(Self.tableCounts(resumed.stdout) == h.mapillary.creatorCounts(in: Self.region))
        #expect(resumed.stderr.contains("continuing,"))
        let asked = h.mapillary.requestLog().filter {
            $0.path == "/images" && $0.queryValue("start_captured_at") == nil
        }.compactMap { request -> String? in
            request.queryValue("bbox").map {
                $0.split(separator: ",").map { "\(Double($0) ?? 0)" }.joined(separator: ",")
            }
        }
        #expect(!asked.isEmpty && Set(asked).isDisjoint(with: finished), "no finished piece is asked again")
        #expect(Self.stateFiles(h).isEmpty)
    }

    @Test func badInputGetsOneSentence() async throws {
        let h = try Self.harness()
        defer { h.close() }
        let malformed = try await h.run(["discover", "--bbox", "13.2,52.4,13.5"])
        #expect(malformed.status == 2)
        #expect(
            malformed.stderr.hasPrefix(
                "error: the area \"13.2,52.4,13.5\" is not four numbers; give it as W,S,E,N, e.g. 13.2,52.4,13.6,52.6\n"
            ))

        let large = try await h.run(["discover", "--bbox", "5,45,15,55"])
        #expect(large.status == 2)
        #expect(
            large.stderr.hasPrefix(
                "error: the area 5,45,15,55 covers 100 square degrees: 10,404 tiles, so at least 10,404 requests to Mapillary (more where images are dense); add --yes to go ahead, or give a smaller area\n"
            ))
        #expect(h.mapillary.counters.apiRequests == 0, "nothing was asked")

        let empty = try await h.run(["discover", "--bbox=-30.2,-40.2,-30,-40"])
        #expect(empty.status == 0, "\(empty.transcript)")
        #expect(empty.stdout.hasPrefix("No images in the area -30.2,-40.2,-30,-40 (9 tiles, 9 requests, "))

        let noToken = try await h.run(["discover", "--bbox", Self.area, "--token", ""])
        #expect(noToken.status == 2 && noToken.stderr.hasPrefix("error: no Mapillary token"))
    }
}
