import Archiver
import Foundation
import HTTPClientKit
import InternetArchive
import Mapillary
import SandboxKit
import SQLiteStore
import Synchronization
import Testing
import TestSupport

/// `discover` against the sandbox, which knows who made every image where: the counts must be exact whether the
/// API pages area answers or caps them, across the antimeridian, after an interruption, and with IA consulted.
@Suite(.timeLimit(.minutes(2)))
struct DiscoveryTests {
    /// 0.3° × 0.3°: 16 tiles.
    static let region = SandboxConfiguration.Region(west: 13.2, south: 52.4, east: 13.5, north: 52.7)
    static let areaText = "13.2,52.4,13.5,52.7"

    static func harness(
        creators: Int = 12, images: Int = 600, ia: Bool = false,
        _ configure: @escaping (inout SandboxConfiguration) -> Void = { _ in }
    ) throws -> DownloadHarness {
        try DownloadHarness(label: "discover", users: [.init(name: "alice", imageCount: 30)]) {
            $0.areas = [.init(region: region, creators: creators, images: images)]
            if ia { $0.internetArchive = InternetArchiveSandboxConfiguration() }
            configure(&$0)
        }
    }

    static func options(
        _ h: DownloadHarness, area: String = areaText, pageSize: Int = 2000, state: String? = nil,
        concurrency: Int = 8, retry: RetryPolicy = fastRetry
    ) throws -> DiscoveryOptions {
        let area = try DiscoveryArea(parsing: area)
        return DiscoveryOptions(
            area: area, token: h.sandbox.token, apiURL: h.sandbox.apiURL,
            statePath: state
                ?? DiscoveryOptions.defaultStatePath(
                    cacheDirectory: h.cache, area: area,
                    apiURL: h.sandbox.apiURL),
            pageSize: pageSize, concurrency: concurrency, retry: retry)
    }

    static func counts(_ result: DiscoveryResult) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: result.creators.map { ($0.username, $0.images) })
    }

    @Test func everyCreatorOfAnAreaOfManyTilesIsFoundWithTheRightCountMostFirst() async throws {
        let h = try Self.harness()
        defer { h.close() }
        let options = try Self.options(h)
        let report = try await AreaDiscovery(options: options, env: h.env).report(minImages: 1, excludeArchivedAt: nil)
        let result = report.result
        #expect(Self.counts(result) == h.mapillary.creatorCounts(in: Self.region))
        #expect(result.creators.count == 12 && result.images == 600)
        #expect(result.creators.map(\.images) == result.creators.map(\.images).sorted(by: >), "most images first")
        #expect(result.tiles == 16 && result.requests == 16, "one request per tile when no answer is full")
        #expect(h.mapillary.counters.pageRequests == 16)
        #expect(!FileManager.default.fileExists(atPath: options.statePath), "the state goes once the report is made")
        let table = report.table()
        #expect(table.hasPrefix("Creators in 13.2,52.4,13.5,52.7: 12 creators, 600 images (16 tiles, 16 requests"))
        let first = try #require(result.creators.first)
        #expect(table.contains("   1  \(first.username)"))
    }

    @Test func aCappedAPIIsAskedInSmallerPiecesUntilEveryAnswerIsComplete() async throws {
        let h = try Self.harness { $0.bboxCap = 30 }
        defer { h.close() }
        let result = try await AreaDiscovery(options: try Self.options(h, pageSize: 30), env: h.env).run()
        #expect(Self.counts(result) == h.mapillary.creatorCounts(in: Self.region))
        #expect(result.images == 600)
        #expect(h.mapillary.counters.cappedAnswers > 0, "the sandbox did cut answers")
        #expect(result.requests > 16 && result.requests == h.mapillary.counters.pageRequests)
        #expect(result.incomplete.isEmpty)
    }

    @Test func aSpotDenserThanTheCapIsAskedInCaptureTimeWindows() async throws {
        // 150 images within 0.00015° (under twice the smallest box side): boxes cannot help, time windows do.
        let spot = SandboxConfiguration.Region(west: 13.4, south: 52.5, east: 13.40015, north: 52.50015)
        let h = try DownloadHarness(label: "discover", users: []) {
            $0.areas = [.init(region: spot, creators: 3, images: 150)]
            $0.bboxCap = 25
        }
        defer { h.close() }
        let result = try await AreaDiscovery(
            options: try Self.options(h, area: "13.4,52.5,13.40015,52.50015", pageSize: 25),
            env: h.env
        ).run()
        #expect(Self.counts(result) == h.mapillary.creatorCounts(in: spot))
        #expect(result.images == 150 && result.incomplete.isEmpty)
        let windows = h.mapillary.requestLog().filter { $0.queryValue("start_captured_at") != nil }
        #expect(!windows.isEmpty)
        #expect(
            h.consoleLines.contains {
                $0.contains("it is asked in capture-time windows, which cannot list images without a capture time")
            })
    }

    @Test func anAreaAcrossTheAntimeridianIsSurveyedOnBothSides() async throws {
        let fiji = SandboxConfiguration.Region(west: 179.9, south: -17, east: -179.9, north: -16.9)
        let h = try DownloadHarness(label: "discover", users: []) {
            $0.areas = [.init(region: fiji, creators: 5, images: 200)]
        }
        defer { h.close() }
        let result = try await AreaDiscovery(options: try Self.options(h, area: "179.9,-17,-179.9,-16.9"), env: h.env)
            .run()
        let truth = h.mapillary.creatorCounts(in: fiji)
        #expect(Self.counts(result) == truth && result.images == 200)
        let images = h.mapillary.users.flatMap { h.mapillary.expectedImages(user: $0) }
        #expect(
            images.contains { $0.longitude > 179.9 } && images.contains { $0.longitude < -179.9 },
            "images on both sides")
        let boxes = h.mapillary.requestLog().compactMap { $0.queryValue("bbox") }
        #expect(boxes.contains { $0.hasPrefix("179.9,") } && boxes.contains { $0.hasPrefix("-180,") })
    }

    @Test func aCancelledDiscoveryContinuesWithoutAskingFinishedTilesAgain() async throws {
        let h = try Self.harness { $0.apiLatency = .milliseconds(40) }
        defer { h.close() }
        let options = try Self.options(h, concurrency: 2)
        let task = Task { try await AreaDiscovery(options: options, env: h.env).run() }
        // Cancelled from a thread of its own after 6 of the 16 requests: the whole survey takes about 0.3 s, and on a
        // loaded machine this test's task can wait longer than that for the cooperative pool.
        let mapillary = h.mapillary
        Thread {
            let deadline = ContinuousClock.now + .seconds(30)
            while mapillary.counters.pageRequests < 6 && ContinuousClock.now < deadline { usleep(1_000) }
            task.cancel()
        }.start()
        do {
            _ = try await task.value
            Issue.record("the discovery ended before it was cancelled")
        } catch let error as ArchiverError {
            #expect(
                error.description
                    == "interrupted; what was found so far is kept in \(options.statePath): run the same command again to continue"
            )
        }
        let first = h.mapillary.counters.pageRequests
        #expect(first < 16)
        #expect(FileManager.default.fileExists(atPath: options.statePath))

        let result = try await AreaDiscovery(options: options, env: h.env).run()
        let second = h.mapillary.counters.pageRequests - first
        #expect(Self.counts(result) == h.mapillary.creatorCounts(in: Self.region))
        #expect(result.requests == 16, "every tile recorded once")
        #expect(first + second <= 16 + 2, "only the two tiles in flight at the cancel were asked twice")
        #expect(h.consoleLines.contains { $0.contains("continuing,") && $0.contains("of 16 tiles done") })
    }

    @Test func aStateFileOfAnotherAreaIsRefusedAndOneInUseIsNotShared() async throws {
        let h = try Self.harness(creators: 2, images: 20)
        defer { h.close() }
        let path = h.temp.file("area.sqlite")
        _ = try await AreaDiscovery(options: try Self.options(h, state: path), env: h.env).run()
        do {
            _ = try await AreaDiscovery(
                options: try Self.options(h, area: "13.2,52.4,13.3,52.5", state: path), env: h.env
            ).run()
            Issue.record("another area's state was used")
        } catch let error as ArchiverError {
            #expect(error.code == .usage)
            #expect(
                error.description
                    == "the state file \(path) holds the discovery of the area 13.2,52.4,13.5,52.7 at \(h.sandbox.apiURL), not of 13.2,52.4,13.3,52.5 at \(h.sandbox.apiURL); give another --state, or delete the file to start over"
            )
        }

        // Another process holds the state (here: a connection of this one in SQLite's exclusive mode).
        let held = h.temp.file("held.sqlite")
        _ = try await AreaDiscovery(options: try Self.options(h, state: held), env: h.env).run()
        let holder = try SQLiteHolder(path: held)
        defer { holder.release() }
        do {
            _ = try await AreaDiscovery(options: try Self.options(h, state: held), env: h.env).run()
            Issue.record("a state in use was shared")
        } catch let error as ArchiverError {
            #expect(error.code == .busy)
            #expect(
                error.description.hasPrefix(
                    "another mapillary-archiver discover is working with the state file \(held)"))
        }
    }

    @Test func anAreaWithoutImagesSaysSo() async throws {
        let h = try Self.harness(creators: 2, images: 20)
        defer { h.close() }
        let report = try await AreaDiscovery(options: try Self.options(h, area: "-30.5,-40.5,-30,-40"), env: h.env)
            .report(minImages: 1, excludeArchivedAt: nil)
        #expect(report.result.creators.isEmpty && report.rows.isEmpty)
        #expect(report.table().hasPrefix("No images in the area -30.5,-40.5,-30,-40 (36 tiles, 36 requests, "))
        #expect(report.table().hasSuffix(").\n") && report.table().split(separator: "\n").count == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect((json["creators"] as? [Any])?.isEmpty == true && json["images"] as? Int == 0)
    }

    @Test func rateLimitedAnswersAreWaitedOutAndTheCountsStayRight() async throws {
        let h = try Self.harness { $0.rateLimitEvery = 5 }
        defer { h.close() }
        let patient = RetryPolicy(maxAttempts: 30, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200))
        let result = try await AreaDiscovery(options: try Self.options(h, pageSize: 30, retry: patient), env: h.env)
            .run()
        #expect(h.mapillary.counters.rateLimited > 0, "the sandbox did answer 429")
        #expect(Self.counts(result) == h.mapillary.creatorCounts(in: Self.region))
    }

    @Test func excludeArchivedLeavesOutCreatorsWithItemsOnIAByEitherToolAtAnyQualityInOneSearch() async throws {
        let h = try Self.harness(ia: true)
        defer { h.close() }
        let creators = h.mapillary.creatorCounts(in: Self.region).sorted { $0.value > $1.value }.map(\.key)
        let (ours, python, other) = (creators[0], creators[1], creators[2])
        let ia = try #require(h.sandbox.internetArchive)
        try ia.preload(
            .init(
                identifier: "mapillary-\(ours)-256-webp",
                metadata: ["mapillary_archiver": ["0.1.0"], "mapillary_user": [ours]]))
        try ia.preload(.init(identifier: "mapillary-\(python)-2048", metadata: ["mapillary_downloader": ["0.12.0"]]))
        try ia.preload(.init(identifier: "mapillary-\(other)-original", metadata: ["collection": ["opensource_media"]]))
        try ia.preload(.init(identifier: "mapillary-zed-original", metadata: ["mapillary_downloader": ["0.12.0"]]))
        ia.clearRequestLog()

        let report = try await AreaDiscovery(options: try Self.options(h), env: h.env)
            .report(minImages: 1, excludeArchivedAt: h.endpoints)
        #expect(Set(report.rows.map(\.username)) == Set(creators).subtracting([ours, python]))
        #expect(report.rows.map(\.rank) == Array(1...10))
        #expect(report.archived?.map(\.username).sorted() == [ours, python].sorted())
        #expect(report.archived?.first { $0.username == python }?.identifiers == ["mapillary-\(python)-2048"])
        let searches = ia.requestLog().filter { $0.path == "/services/search/v1/scrape" }
        #expect(searches.count == 1, "one search for all creators")
        #expect(report.table().contains("Left out: 2 already on the Internet Archive:"))
    }

    @Test func aThrottledSearchIsRetriedAndAFailingOneIsOneSentenceWithTheDiscoveryKept() async throws {
        let h = try Self.harness(creators: 3, images: 60, ia: true)
        defer { h.close() }
        let ia = try #require(h.sandbox.internetArchive)
        ia.throttleScrapes(count: 2)
        let options = try Self.options(h)
        let report = try await AreaDiscovery(options: options, env: h.env).report(
            minImages: 1, excludeArchivedAt: h.endpoints)
        #expect(ia.counters.throttledScrapes == 2 && report.rows.count == 3 && report.archived?.isEmpty == true)

        ia.setFaultRate(1)
        do {
            _ = try await AreaDiscovery(options: options, env: h.env).report(
                minImages: 1, excludeArchivedAt: h.endpoints)
            Issue.record("a failing IA went unnoticed")
        } catch let error as ArchiverError {
            #expect(
                error.description.hasPrefix(
                    "could not ask the Internet Archive which creators are archived already (archive.org"))
            #expect(
                error.description.hasSuffix(
                    "the discovery is kept in \(options.statePath): run the same command again to report it"))
        }
        #expect(FileManager.default.fileExists(atPath: options.statePath))
        ia.setFaultRate(0)
        let asked = h.mapillary.counters.pageRequests
        let again = try await AreaDiscovery(options: options, env: h.env).report(
            minImages: 1, excludeArchivedAt: h.endpoints)
        #expect(again.rows.count == 3 && h.mapillary.counters.pageRequests == asked, "Mapillary is not asked again")
    }

    @Test func aReportThatCannotBeDeliveredKeepsTheDiscoveryForTheNextRun() async throws {
        struct QueueDown: Error, CustomStringConvertible { var description: String { "the queue is down" } }
        let h = try Self.harness(creators: 3, images: 60)
        defer { h.close() }
        let options = try Self.options(h)
        do {
            _ = try await AreaDiscovery(options: options, env: h.env).report(minImages: 1, excludeArchivedAt: nil) {
                _ in throw QueueDown()
            }
            Issue.record("the failure was not reported")
        } catch let error as ArchiverError {
            #expect(
                error.description
                    == "the queue is down; the discovery is kept in \(options.statePath): run the same command again to finish it"
            )
        }
        let asked = h.mapillary.counters.pageRequests
        let delivered = Mutex<[String]>([])
        let report = try await AreaDiscovery(options: options, env: h.env).report(minImages: 1, excludeArchivedAt: nil)
        { report in
            delivered.withLock { $0 = report.usableUsernames }
        }
        #expect(h.mapillary.counters.pageRequests == asked, "Mapillary is not asked again")
        #expect(delivered.withLock { $0 } == report.usableUsernames && report.usableUsernames.count == 3)
        #expect(!FileManager.default.fileExists(atPath: options.statePath))
    }

    @Test func minImagesLeavesOutSmallCreatorsAndTheJSONSaysHowMany() async throws {
        let h = try Self.harness()
        defer { h.close() }
        let report = try await AreaDiscovery(options: try Self.options(h), env: h.env).report(
            minImages: 40, excludeArchivedAt: nil)
        let truth = h.mapillary.creatorCounts(in: Self.region)
        #expect(Set(report.rows.map(\.username)) == Set(truth.filter { $0.value >= 40 }.keys))
        #expect(report.belowMinimum == truth.filter { $0.value < 40 }.count && report.belowMinimum > 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect((json["left_out"] as? [String: Any])?["below_min_images"] as? Int == report.belowMinimum)
        #expect(json["complete"] as? Bool == true && json["min_images"] as? Int == 40)
        #expect(report.table().contains("Left out: \(report.belowMinimum) with fewer than 40 images."))
    }
}

/// Holds an SQLite file the way a running discover does (exclusive locking mode, after a write).
final class SQLiteHolder: Sendable {
    private let db: SQLiteDatabase

    init(path: String) throws {
        db = try SQLiteDatabase(path: path)
        try db.execute("PRAGMA locking_mode=EXCLUSIVE")
        try db.execute("CREATE TABLE IF NOT EXISTS holder(x); INSERT INTO holder VALUES (1)")
    }

    func release() { db.close() }
}
