import Archiver
import Campaign
import Foundation
import HTTPClientKit
import InternetArchive
import SandboxKit
import SQLiteStore
import Testing
import TestSupport

/// `worker` as a library: jobs claimed from a SQLite queue, run, uploaded and recorded.
@Suite struct WorkerTests {
    /// A sandbox with its IA half, a SQLite queue in the test's folder, and worker options that upload there.
    struct World {
        let h: DownloadHarness
        let queue: JobQueue
        let queuePath: String
        var options: DownloadOptions

        init(
            users: [SandboxConfiguration.User], seed: UInt64 = 1, policy: QueuePolicy = WorkerTests.policy(),
            _ configure: (inout SandboxConfiguration) -> Void = { _ in }
        ) throws {
            h = try DownloadHarness(users: users, seed: seed) {
                $0.internetArchive = InternetArchiveSandboxConfiguration()
                $0.originalSize = PixelSize(width: 320, height: 240)
                configure(&$0)
            }
            queuePath = h.temp.file("queue.sqlite")
            queue = try JobQueue(.sqlite(path: queuePath), policy: policy)
            options = h.options([])
            let ia = h.sandbox.internetArchive!
            options.endpoints = IAEndpoints(s3: ia.s3URL, archive: ia.archiveURL)
            options.upload = true
            options.credentials = try IACredentials(accessKey: ia.accessKey, secretKey: ia.secretKey)
            var upload = UploadOptions()
            upload.retry = RetryPolicy(maxAttempts: 12, baseDelay: .milliseconds(2), maxDelay: .milliseconds(30))
            upload.verifyTimeout = .seconds(20)
            upload.verifyInterval = .milliseconds(20)
            upload.verifyMaxInterval = .milliseconds(100)
            options.uploadOptions = upload
        }

        func add(_ users: [String], again: Bool = false) throws {
            _ = try queue.add(users.map { JobSpec(username: $0, quality: "256", webp: true) }, again: again)
        }

        func worker(jobs: Int = 2, untilEmpty: Bool = true, deleteAfterUpload: Bool = false) -> CampaignWorker {
            var settings = WorkerSettings(name: "test-worker", host: "test-host", jobs: jobs)
            settings.untilEmpty = untilEmpty
            settings.deleteAfterUpload = deleteAfterUpload
            settings.pollInterval = .milliseconds(50)
            settings.maxPollInterval = .milliseconds(200)
            return CampaignWorker(options: options, settings: settings, queue: queue, env: h.env)
        }

        /// Each job's row, read from the queue file itself.
        func rows() throws -> [String: (
            state: String, attempts: Int, error: String?, identifier: String?, images: Int?, verified: Bool?
        )] {
            let database = try SQLiteDatabase(path: queuePath)
            defer { database.close() }
            var rows: [String: (String, Int, String?, String?, Int?, Bool?)] = [:]
            for row in try database.query(
                "SELECT username, state, attempts, last_error, identifier, images, verified FROM campaign_jobs")
            {
                rows[row[0].string ?? ""] = (
                    row[1].string ?? "", row[2].int ?? -1, row[3].string, row[4].string, row[5].int,
                    row[6].int.map { $0 != 0 }
                )
            }
            return rows
        }

        func close() {
            queue.close()
            h.close()
        }
    }

    /// A lease as long as production's (a full test run on two cores can starve a process for many seconds), and
    /// backoffs short enough to wait out.
    static func policy(lease: Duration = .seconds(120), maxAttempts: Int = 5) -> QueuePolicy {
        var policy = QueuePolicy()
        policy.lease = lease
        policy.maxAttempts = maxAttempts
        policy.backoffBase = .milliseconds(300)
        policy.backoffCap = .seconds(1)
        return policy
    }

    @Test func aWorkerArchivesUploadsAndRecordsEveryQueuedUserUntilTheQueueIsEmpty() async throws {
        let w = try World(users: [
            .init(name: "alpha", imageCount: 6), .init(name: "bravo", imageCount: 4),
            .init(name: "charlie", imageCount: 3),
        ])
        defer { w.close() }
        try w.add(["alpha", "bravo", "charlie"])
        let report = await w.worker().run()
        #expect(report.exitCode == 0, "\(report.table())")
        #expect(Set(report.jobs.map(\.user)) == ["alpha", "bravo", "charlie"])
        let rows = try w.rows()
        let ia = w.h.sandbox.internetArchive!
        for (user, count) in [("alpha", 6), ("bravo", 4), ("charlie", 3)] {
            let row = try #require(rows[user])
            #expect(row.state == "done" && row.attempts == 1 && row.error == nil)
            #expect(row.identifier == "mapillary-\(user)-256-webp" && row.images == count && row.verified == true)
            let onIA = try #require(ia.item("mapillary-\(user)-256-webp"), "\(user)'s item is on IA")
            let local = try FileManager.default.contentsOfDirectory(atPath: w.h.output + "/mapillary-\(user)-256-webp")
                .filter { !$0.hasPrefix(".") }
            #expect(Set(onIA.files.keys) == Set(local), "every file of \(user)'s item is on IA")
        }
    }

    @Test func anUnknownUserFailsAtOnceAndAUserWhoseImagesKeepFailingIsRetriedThenFailed() async throws {
        let w = try World(
            users: [
                .init(name: "alpha", imageCount: 3), .init(name: "ghost", imageCount: 0, kind: .empty),
                .init(name: "slow", imageCount: 2, kind: .trickle),
            ],
            policy: Self.policy(maxAttempts: 2)
        ) { $0.cdnTrickleRate = 1 }
        defer { w.close() }
        var options = w.options
        options.speedFloor = .init(bytesPerSecond: 1024, window: .seconds(1))
        options.imageTimeLimit = .seconds(2)
        var world = w
        world.options = options
        try world.add(["alpha", "ghost", "slow"])
        let report = await world.worker().run()
        #expect(report.exitCode == 1)
        let rows = try world.rows()
        #expect(rows["alpha"]?.state == "done")
        #expect(rows["ghost"]?.state == "failed" && rows["ghost"]?.attempts == 1, "permanent: one attempt")
        #expect(rows["ghost"]?.error?.hasPrefix("Mapillary lists no archivable image for this user") == true)
        #expect(rows["slow"]?.state == "failed" && rows["slow"]?.attempts == 2, "transient: tried again, then failed")
        #expect(
            rows["slow"]?.error?.contains("could not be downloaded yet") == true,
            "\(String(describing: rows["slow"]?.error))")
    }

    @Test func stoppingTheWorkerGivesItsJobBackAtOnceWithItsWorkSaved() async throws {
        let w = try World(users: [.init(name: "alpha", imageCount: 300)]) { $0.cdnLatency = .milliseconds(30) }
        defer { w.close() }
        var options = w.options
        options.concurrency = 2
        var world = w
        world.options = options
        try world.add(["alpha"])
        let worker = world.worker(jobs: 1, untilEmpty: false)
        let task = Task { await worker.run() }
        // Cancelled from a thread of its own once 40 images were served: the job takes about five seconds, and on a
        // loaded machine this test's task can wait longer than that for the cooperative pool.
        let mapillary = w.h.mapillary
        Thread {
            let deadline = ContinuousClock.now + .seconds(120)
            while mapillary.counters.imagesServed < 40 && ContinuousClock.now < deadline { usleep(5_000) }
            task.cancel()
        }.start()
        let report = await task.value
        #expect(
            report.jobs.first?.outcome == .incomplete(reason: "interrupted; run the same command again to continue"))
        let row = try #require(try world.rows()["alpha"])
        #expect(row.state == "pending" && row.attempts == 0, "released: pending at once, the attempt not counted")
        let done = try #require(ItemStateReader.counts(item: w.h.cache + "/mapillary-alpha-256-webp"))
        #expect(done.done > 0, "images committed before the stop are kept for the next claim")
    }

    @Test func aRejectedTokenStopsTheWorkerAndEveryJobGoesBack() async throws {
        let w = try World(users: [.init(name: "alpha", imageCount: 3), .init(name: "bravo", imageCount: 3)])
        defer { w.close() }
        var world = w
        world.options.token = "MLY|1|not-the-token"
        try world.add(["alpha", "bravo"])
        let report = await world.worker().run()
        #expect(report.exitCode == 1)
        #expect(
            report.stopped?.hasPrefix("the Mapillary token was rejected") == true,
            "\(String(describing: report.stopped))")
        let rows = try world.rows()
        #expect(rows.values.allSatisfy { $0.state == "pending" && $0.attempts == 0 }, "\(rows)")
        #expect(w.h.mapillary.counters.unauthorized == 1)
    }

    @Test func deleteAfterUploadKeepsWhatALaterRunNeedsAndThatRunUploadsOnlyNewTars() async throws {
        let w = try World(users: [.init(name: "alpha", imageCount: 20)], seed: 7)
        defer { w.close() }
        try w.add(["alpha"])
        #expect(await w.worker(deleteAfterUpload: true).run().exitCode == 0)
        let item = w.h.output + "/mapillary-alpha-256-webp"
        let kept = try FileManager.default.contentsOfDirectory(atPath: item).sorted()
        #expect(kept == [".mapillary-archiver", ".meta", "__ia_thumb__.jpg"], "only what a later run needs")
        #expect(await w.h.verify(item) == [], "verify finds nothing missing: the tars are on IA")
        #expect(ItemStateReader.remoteOnlyImages(item: item) == 20)
        let ia = w.h.sandbox.internetArchive!
        let firstFiles = try #require(ia.item("mapillary-alpha-256-webp")).files
        let firstTars = Set(firstFiles.keys.filter { $0.hasSuffix(".tar") })

        // The contributor a while later: the same 20 images plus 10 new ones.
        var later = SandboxConfiguration()
        later.users = [.init(name: "alpha", imageCount: 30)]
        later.seed = 7
        later.dataDirectory = w.h.temp.file("sandbox-later")
        let sandbox = try Sandbox(later)
        defer { sandbox.stop() }
        var world = w
        world.options.apiURL = sandbox.apiURL
        try world.add(["alpha"], again: true)
        ia.clearRequestLog()
        let second = await world.worker().run()
        #expect(second.exitCode == 0, "\(second.table())")
        #expect(second.jobs.first?.downloaded == 10, "only the new images were fetched")
        let after = try #require(ia.item("mapillary-alpha-256-webp")).files
        for tar in firstTars { #expect(after[tar] == firstFiles[tar], "\(tar) on IA is untouched") }
        let written = Set(
            ia.requestLog().filter { $0.method == "PUT" }.map { String($0.path.split(separator: "/").last ?? "") })
        #expect(written.isDisjoint(with: firstTars), "no first-run tar was sent again: \(written)")
        let newTars = Set(after.keys.filter { $0.hasSuffix(".tar") }).subtracting(firstTars)
        #expect(!newTars.isEmpty && newTars.isSubset(of: written))
        #expect(try world.rows()["alpha"]?.images == 30)
    }
}
