import Campaign
import Foundation
import SandboxKit
import Testing
import TestSupport

/// `clean-up`, `stats` and `download --upload` as a user types them.
@Suite(.timeLimit(.minutes(3)))
struct MaintenanceCommandTests {
    @Test func cleanUpRemovesLeftoversButRefusesAKilledDownloadWithoutForce() async throws {
        // Two transfers of 40 ms each: about four seconds of downloading, time enough to be killed in the middle.
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 200)]) { $0.cdnLatency = .milliseconds(40) }
        defer { h.close() }
        let killed = try h.start(["alice", "--output", h.output, "--quality", "256", "--concurrency", "2"])
        // Half the images fetched: a commit (every 64 images or every second) has happened by then.
        h.kill(killed, afterImagesServed: 100)
        let ended = await killed.wait()
        try #require(ended.killedBySignal, "killed in the middle of the run: \(ended.transcript)")
        let committed = try #require(h.state("alice")).done
        try #require(committed > 0 && committed < 200, "images were committed before the kill (\(committed))")
        let nobody = try await h.download(["nobody"])
        #expect(nobody.status == 1)
        let alice = h.cache + "/mapillary-alice-256-webp"
        let logsOnly = h.cache + "/mapillary-nobody-256-webp"

        let dry = try await h.run(["clean-up", "--output", h.output])
        #expect(dry.status == 0, "\(dry.transcript)")
        #expect(dry.stdout.contains("would remove \(logsOnly) (") && dry.stdout.contains("): holds only logs"))
        #expect(
            dry.stdout.contains("keep    \(alice) (") && dry.stdout.contains("in progress or waiting to be finished"))
        #expect(dry.stdout.contains("run again with --yes to remove them"))
        #expect(FileManager.default.fileExists(atPath: logsOnly), "nothing is removed without --yes")

        let yes = try await h.run(["clean-up", "--output", h.output, "--yes", "--older-than", "0"])
        #expect(yes.status == 0, "\(yes.transcript)")
        #expect(
            yes.stdout.contains(
                "\(committed) archived images were never published (run the same download again to finish it, or use --force)"
            ),
            "\(yes.stdout)")
        #expect(yes.stdout.contains("removed 1 folder(s)"))
        #expect(!FileManager.default.fileExists(atPath: logsOnly))
        #expect(FileManager.default.fileExists(atPath: alice), "unpublished downloads are kept without --force")

        let forced = try await h.run(["clean-up", "--output", h.output, "--yes", "--older-than", "0", "--force"])
        #expect(forced.status == 0, "\(forced.transcript)")
        #expect(forced.stdout.contains("remove \(alice) ("))
        #expect(!FileManager.default.fileExists(atPath: alice))
        let empty = try await h.run(["clean-up", "--output", h.output])
        #expect(empty.stdout == "no staging folders in \(h.cache)\n")
    }

    @Test func statsCountsBothToolsItemsPerCollectionAndPrintsJSON() async throws {
        func item(
            _ id: String, tool: String, collection: String, images: Int, size: Int64, user: String,
            uploader: String = "archivist@example.org"
        ) -> InternetArchiveSandboxConfiguration.Item {
            .init(
                identifier: id,
                metadata: [
                    "collection": [collection], tool: ["1.0"], "creator": [user], "uploader": [uploader],
                    "description": ["Street-level imagery by \(user). Contains \(images) images."],
                ],
                itemSize: size)
        }
        let h = try CLIHarness(users: []) {
            var ia = InternetArchiveSandboxConfiguration()
            ia.items = [
                item(
                    "mapillary-alice-original-webp", tool: "mapillary_archiver", collection: "mapillary-images",
                    images: 120, size: 1000, user: "alice"),
                item(
                    "mapillary-alice-2048", tool: "mapillary_downloader", collection: "mapillary-images", images: 118,
                    size: 400, user: "alice"),
                item(
                    "mapillary-bob-2048-webp", tool: "mapillary_archiver", collection: "mapillary-images", images: 30,
                    size: 300, user: "bob"),
                item(
                    "mapillary-carol-original", tool: "mapillary_downloader", collection: "mapillary-images", images: 7,
                    size: 70, user: "carol"),
                item(
                    "mapillary-dave-original", tool: "mapillary_downloader", collection: "opensource", images: 1,
                    size: 5, user: "dave",
                    uploader: "volunteer@example.org"),
                .init(identifier: "something-else", metadata: ["title": ["unrelated"]], itemSize: 99),
            ]
            ia.scrapeRateLimitBurst = 1
            $0.internetArchive = ia
        }
        defer { h.close() }
        let result = try await h.run(["stats", "--json"])
        #expect(result.status == 0, "\(result.transcript)")
        #expect(h.ia.requestLog().map(\.status) == [429, 200], "IA's rate limit is waited out")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let total = try #require(json["total"] as? [String: Any])
        #expect(total["items"] as? Int == 5)
        #expect(total["archiver_items"] as? Int == 2)
        #expect(total["downloader_items"] as? Int == 3)
        #expect(total["images"] as? Int == 276)
        #expect(total["unique_images"] as? Int == 158, "alice's two qualities count once, at 120")
        #expect(total["bytes"] as? Int == 1775)
        #expect(total["users"] as? [String] == ["alice", "bob", "carol", "dave"])
        let collections = try #require(json["collections"] as? [[String: Any]])
        #expect(collections.map { $0["name"] as? String } == ["mapillary-images", "opensource"])
        #expect(collections.map { $0["items"] as? Int } == [4, 1])
        let qualities = try #require(json["qualities"] as? [[String: Any]])
        #expect(qualities.map { $0["name"] as? String } == ["original", "2048"])
        #expect(qualities.map { $0["unique_images"] as? Int } == [128, 148])
        let outside = try #require(json["outside_mapillary_images"] as? [[String: Any]])
        #expect(outside.map { $0["uploader"] as? String } == ["volunteer@example.org"])
        #expect(outside.map { $0["items"] as? [String] } == [["mapillary-dave-original"]])
        #expect(FileManager.default.fileExists(atPath: h.cache + "/.stats.json"), "the result is cached")

        h.ia.clearRequestLog()
        let table = try await h.run(["stats", "--mapillary-total", "15800"])
        #expect(table.status == 0)
        let rows = table.stdout.split(separator: "\n").map(String.init)
        #expect(
            rows.first?.hasPrefix("Mapillary items on the Internet Archive, cached from ") == true, "\(table.stdout)")
        #expect(
            rows.contains { $0.hasPrefix("unique images ") && $0.hasSuffix(" 158  1.000% of Mapillary's 15,800") },
            "\(table.stdout)")
        #expect(rows.contains { $0.hasPrefix("mapillary-images") && $0.contains("157") })
        #expect(rows.contains { $0.hasPrefix("total") && $0.contains("276") && $0.contains("158") })
        #expect(rows.contains("volunteer@example.org:") && rows.contains("  mapillary-dave-original"))
        #expect(rows.contains("cache: \(h.cache)/.stats.json (--refresh asks IA again)"))
        #expect(rows.allSatisfy { $0.count <= 100 || $0.hasPrefix("cache: ") }, "\(table.stdout)")
        #expect(h.ia.requestLog().isEmpty, "the cached result was used")

        // The Python tool's spelling: `--stats` (and `--clean-up`) as flags of the one command.
        let legacy = try await h.run(["--stats", "--json"])
        let direct = try await h.run(["stats", "--json"])
        #expect(legacy.status == 0 && legacy.stdout == direct.stdout, "\(legacy.transcript)")
        let cleanUp = try await h.run(["--clean-up", "--output", h.output])
        #expect(cleanUp.status == 0 && cleanUp.stdout.hasPrefix("no staging folders in"), "\(cleanUp.transcript)")
        let help = try await h.run(["--help"])
        #expect(!help.stdout.contains("--stats") && !help.stdout.contains("--clean-up"), "not in --help")

        // A campaign: two done (one uploaded and verified), one failed, one running, one waiting to retry, one pending.
        let queuePath = h.temp.file("campaign.sqlite")
        let added = try await h.run([
            "queue", "add", "alice", "bob", "carol", "dave", "erin", "frank", "--quality", "2048",
            "--queue", queuePath,
        ])
        #expect(added.status == 0, "\(added.transcript)")
        let jobs = try JobQueue(.sqlite(path: queuePath))
        for (images, uploaded) in [(120, true), (30, false)] {
            let job = try #require(try jobs.claim(worker: "w1", host: "here"))
            try jobs.complete(
                job,
                result: JobResult(
                    identifier: "mapillary-\(job.spec.username)-2048-webp", images: images,
                    bytes: Int64(images) * 1000, uploaded: uploaded, verified: uploaded))
        }
        try jobs.fail(try #require(try jobs.claim(worker: "w1", host: "here")), sentence: "gone", kind: .permanent)
        try jobs.fail(try #require(try jobs.claim(worker: "w1", host: "here")), sentence: "later", kind: .transient)
        _ = try #require(try jobs.claim(worker: "w2", host: "there"))
        jobs.close()
        let withQueue = try await h.run(["stats", "--queue", queuePath])
        #expect(withQueue.status == 0, "\(withQueue.transcript)")
        let queueRows = withQueue.stdout.split(separator: "\n").map(String.init)
        #expect(queueRows.contains("campaign queue \(queuePath):"), "\(withQueue.stdout)")
        #expect(
            queueRows.contains {
                $0.hasPrefix("done in the queue") && $0.hasSuffix(" 150  150.00 KB  1 uploaded, 1 verified")
            })
        #expect(queueRows.contains { $0.hasPrefix("on IA, both tools") && $0.contains(" 276 ") })
        #expect(queueRows.contains("jobs: 2 pending (1 waiting to retry), 1 running, 2 done, 1 failed; 6 in all"))
        let queueJSON = try await h.run(["stats", "--queue", queuePath, "--json"])
        let shown = try #require(
            (try JSONSerialization.jsonObject(with: Data(queueJSON.stdout.utf8)) as? [String: Any])?["campaign_queue"]
                as? [String: Any])
        #expect(
            shown["done_images"] as? Int == 150 && shown["done_bytes"] as? Int == 150_000 && shown["total"] as? Int == 6
        )
        let badQueue = try await h.run(["stats", "--queue", "ftp://example.org/q"])
        #expect(badQueue.status == 2)
        #expect(
            badQueue.stderr.hasPrefix(
                "error: the queue 'ftp://example.org/q' is neither a file path nor a postgres:// URL"),
            "\(badQueue.stderr)")
        let missing = try await h.run(["stats", "--queue", h.temp.file("nothing.sqlite")])
        #expect(missing.status == 1)
        #expect(missing.stderr.split(separator: "\n").count == 1, "\(missing.stderr)")

        let zero = try await h.run(["stats", "--mapillary-total", "0"])
        #expect(zero.status == 2)
        #expect(zero.stderr.hasPrefix("error: --mapillary-total must be a positive number of images"), "\(zero.stderr)")
        let wrong = try await h.run([
            "stats", "--refresh", "--cache-dir", h.temp.file("other"), "--archive-url", h.ia.s3URL,
        ])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.hasPrefix("error: archive.org answered HTTP 4"), "\(wrong.stderr)")
        #expect(wrong.stderr.hasSuffix("; check --archive-url\n"), "\(wrong.stderr)")
        #expect(wrong.stderr.split(separator: "\n").count == 1)
    }

    @Test func downloadWithUploadPutsEveryFileOnIAAndVerifyRemoteAgrees() async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 14)])
        defer { h.close() }
        let result = try await h.download(["alice", "--upload"])
        #expect(result.status == 0, "\(result.transcript)")
        #expect(
            result.stdout.contains("published " + h.item("alice") + "; upload: uploaded and verified"),
            "\(result.stdout)")
        let identifier = "mapillary-alice-256-webp"
        let remote = try #require(h.ia.item(identifier))
        let local = try FileManager.default.contentsOfDirectory(atPath: h.item("alice")).filter { !$0.hasPrefix(".") }
        #expect(Set(remote.files.keys).isSuperset(of: local))
        for name in local {
            let md5 = String(
                try await ExternalTool.runDetached("md5sum", [h.item("alice") + "/" + name]).stdout.prefix(32))
            #expect(remote.files[name]?.md5 == md5, "\(name) is on IA with the local md5")
        }
        #expect(!remote.values("title").isEmpty)
        #expect(!(result.stdout + result.stderr).contains(h.ia.secretKey), "the secret key is never printed")
        let verify = try await h.run(["verify", "--remote", h.item("alice")])
        #expect(verify.status == 0, "\(verify.transcript)")
        #expect(verify.stdout.contains("OK (and every file is on the Internet Archive with the same md5)"))
    }
}
