import Archiver
import Foundation
import SandboxKit
import SQLiteStore
import Testing
import TestSupport

/// Listings that never end, repeat themselves or list an id twice: the run ends with one sentence instead of
/// hanging, and the tars, `metadata.jsonl.gz` and the counts agree on one record per image.
@Suite(.timeLimit(.minutes(5)))
struct HostileListingTests {
    /// With 25 records a page: the images a looping listing lists, and the pages it reads before the one that
    /// loops (that one is read three times). `paging-self`'s first page links to itself; `paging-cycle`'s third
    /// links back to the second; `repeated-pages`' second repeats the first.
    static func shape(_ kind: SandboxConfiguration.UserKind) -> (listed: Int, pagesBefore: Int) {
        switch kind {
        case .pagingSelf: (25, 0)
        case .pagingCycle: (75, 2)
        default: (25, 1)
        }
    }

    @Test(arguments: [SandboxConfiguration.UserKind.pagingSelf, .pagingCycle, .repeatedPages])
    func aListingThatLoopsEndsAsAFaultAfterTheListedImagesInsteadOfHanging(
        kind: SandboxConfiguration.UserKind
    ) async throws {
        let h = try DownloadHarness(users: [.init(name: "loopy", imageCount: 80, kind: kind)]) {
            $0.maxRecordsPerResponse = 25
        }
        defer { h.close() }
        let options = h.options(["loopy"])
        let report = await h.run(options)

        let listed = Array(h.mapillary.expectedImages(user: "loopy").prefix(Self.shape(kind).listed).map(\.id))
        let user = try #require(report.users.first)
        #expect(report.exitCode == 1)
        guard case .failed(let reason) = user.outcome else {
            Issue.record("the user fails: \(user.outcome)")
            return
        }
        #expect(reason.hasPrefix("the Mapillary API kept sending a page that "))
        #expect(reason.contains("3 times from the same saved page"))
        #expect(user.downloaded == listed.count, "every image listed before the loop was still downloaded")
        #expect(user.failed == 0)
        #expect(h.mapillary.misbehaviourCounters.loopingPages + h.mapillary.misbehaviourCounters.repeatedPages >= 1)
        let retries = h.consoleLines.filter { $0.contains("loopy: the Mapillary API sent a page that ") }
        #expect(retries.count == 2, "two more tries from the saved cursor, each logged: \(retries)")
        #expect(!h.consoleLines.contains { $0.contains("listing complete") })
        let pages = h.mapillary.counters.pageRequests - h.mapillary.counters.reduceDataAnswers
        #expect(pages == Self.shape(kind).pagesBefore + 3, "the loop was noticed at once, then asked twice more")

        // What was archived is in the staging folder's tars, once each (read with Python's tarfile).
        let staging = h.cache + "/" + options.identifier(for: "loopy")
        let members = try await TarListing.members(item: staging)
        #expect(members.map(\.imageID).sorted() == listed.sorted())

        // The next run (cron, the next night) starts from the saved page, meets the same loop and ends the same way
        // without fetching anything again.
        h.mapillary.clearRequestLog()
        let again = await h.run(options)
        #expect(again.exitCode == 1)
        #expect(again.users.first?.alreadyDone == listed.count)
        #expect(!h.mapillary.requestLog().contains { $0.origin == .cdn }, "committed images are not fetched again")
    }

    @Test func anIDListedTwiceKeepsItsFirstRecordInTheTarsTheMetadataAndTheCounts() async throws {
        // 40 images and 10 of them again, after all others, with another date and sequence: two pages of 25.
        let h = try DownloadHarness(users: [.init(name: "dora", imageCount: 40, kind: .duplicates)]) {
            $0.maxRecordsPerResponse = 25
        }
        defer { h.close() }
        let options = h.options(["dora"])
        let report = await h.run(options)
        let item = h.item("dora", options)
        let images = h.mapillary.expectedImages(user: "dora")
        let relisted = h.mapillary.relistedImages(user: "dora")
        try #require(relisted.count == 10)
        #expect(
            relisted.allSatisfy { again in
                let first = images.first { $0.id == again.id }
                return first?.sequence != again.sequence && first?.captureDateUTC != again.captureDateUTC
            }, "the second records differ in date and sequence")

        #expect(report.users.first?.outcome == .published(path: item), "\(report.table())")
        #expect(report.users.first?.downloaded == 40)
        #expect(h.consoleLines.contains { $0.contains("dora: listing complete: 40 images") })
        let warned = h.consoleLines.filter { $0.contains("dora: the API listed ") }
        #expect(
            warned.compactMap {
                Int($0.components(separatedBy: "the API listed ").last?.split(separator: " ").first ?? "")
            }
            .reduce(0, +) == 10, "each second record is logged: \(warned)")

        // The tars: every image once, in the first record's date tar and sequence folder.
        let members = try await TarListing.members(item: item)
        #expect(members.count == 40)
        let byID = Dictionary(uniqueKeysWithValues: members.map { ($0.imageID, $0) })
        for image in images {
            #expect(byID[image.id]?.name == image.memberName(ext: "webp"), "image \(image.id)")
            #expect(byID[image.id]?.tar == (image.captureDateUTC ?? "unknown-date") + ".tar", "image \(image.id)")
        }

        // metadata.jsonl.gz: one line per image, in listing order, each the first record (read with Python).
        let records = try await Self.records(item)
        #expect(records.map(\.id) == images.map(\.id))
        for image in images {
            let record = records.first { $0.id == image.id }
            #expect(
                record?.sequence == image.sequence && record?.capturedAt == image.capturedAt, "record of \(image.id)")
        }
        #expect(await h.verify(item) == [])
    }

    @Test func aLaterRunInTheSameProcessCountsTheUsersImagesOnce() async throws {
        let h = try DownloadHarness(users: [.init(name: "alice", imageCount: 5)])
        defer { h.close() }
        let options = h.options(["alice"])
        let first = await h.run(options)
        let second = await h.run(options)
        let item = h.item("alice", options)
        #expect(first.users.map(\.outcome) == [.published(path: item)])
        #expect(second.users.map(\.outcome) == [.upToDate(path: item)])
        let counts = h.consoleLines.filter { $0.contains("alice: listing complete:") }
        #expect(
            counts.count == 2 && counts.allSatisfy { $0.hasSuffix("alice: listing complete: 5 images") },
            "the re-listing of the update run counts known images once: \(counts)")
    }

    @Test func aLaterListingPassGivesPendingImagesTheirFreshURLButNeverChangesARecord() throws {
        let temp = try TemporaryDirectory("state")
        defer { temp.remove() }
        let database = try SQLiteDatabase(path: temp.file("state.sqlite"))
        defer { database.close() }
        let state = try DownloadState(database: database)
        func listed(_ id: String, _ sequence: String, _ url: String) -> DownloadState.Listed {
            DownloadState.Listed(
                id: id, raw: Array("{\"id\":\"\(id)\",\"sequence\":\"\(sequence)\"}".utf8),
                captureDate: "2020-01-01", capturedAtMillis: 1_577_836_800_000, sequence: sequence,
                thumbURL: url)
        }
        #expect(
            try state.recordPage(
                [listed("1", "s1", "http://cdn/1?old"), listed("2", "s2", "http://cdn/2?old")],
                next: nil) == .recorded(added: 2, repeated: []))
        try state.commit(
            [
                DownloadState.Done(
                    id: "1", container: "2020-01-01.tar", endOffset: 1536, bytes: 10,
                    md5: "", format: "webp")
            ], tars: [])
        // The same listing again in the same pass: nothing new, the page is a repeat.
        #expect(try state.recordPage([listed("1", "x", "http://cdn/1?new")], next: nil) == .alreadyListed)

        // A later run of the published item lists again (a new pass), with other fields and fresh URLs.
        try state.restartListing()
        #expect(
            try state.recordPage(
                [
                    listed("1", "later", "http://cdn/1?new"), listed("2", "later", "http://cdn/2?new"),
                    listed("2", "again", "http://cdn/2?again"),
                ], next: nil)
                == .recorded(added: 0, repeated: ["2"]))
        let pending = try state.pending(after: 0, limit: 10)
        #expect(pending.map(\.id) == ["2"])
        #expect(pending.first?.thumbURL == "http://cdn/2?new", "the image still to fetch takes the fresh URL")
        #expect(
            pending.first.map { String(decoding: $0.raw, as: UTF8.self) } == "{\"id\":\"2\",\"sequence\":\"s2\"}",
            "its record stays the first one")
        var raws: [String] = []
        try state.forEachRecord { raw, _, _ in raws.append(String(decoding: raw, as: UTF8.self)) }
        #expect(
            raws == ["{\"id\":\"1\",\"sequence\":\"s1\"}", "{\"id\":\"2\",\"sequence\":\"s2\"}"],
            "the archived image's record is the one in its tar")
        #expect(try state.counts().listed == 2)
    }

    /// id, sequence and captured_at of every line of `metadata.jsonl.gz`, in file order (Python's gzip and json).
    static func records(_ item: String) async throws -> [(id: String, sequence: String?, capturedAt: Int64?)] {
        let script = """
            import gzip, json, sys
            rows = [json.loads(line) for line in gzip.open(sys.argv[1], "rt", encoding="utf-8") if line.strip()]
            print(json.dumps([[r["id"], r.get("sequence"), r.get("captured_at")] for r in rows]))
            """
        let result = try await ExternalTool.runDetached("python3", ["-c", script, item + "/metadata.jsonl.gz"])
        guard result.ok else { throw TarListingError(message: "python gzip failed: \(result.stderr)") }
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[Any]])
        return rows.map { row in
            (row[0] as? String ?? "", row[1] as? String, (row[2] as? NSNumber)?.int64Value)
        }
    }
}
