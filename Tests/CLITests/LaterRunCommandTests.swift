import Foundation
import SandboxKit
import Testing
import TestSupport

/// Nightly re-runs: `--skip-existing` lists nobody already archived, and a later run of a user whose local item is
/// gone works from the item on IA, adding only addendum tars.
@Suite(.timeLimit(.minutes(3)))
struct LaterRunCommandTests {
    /// The lines of a `metadata.jsonl.gz`, read with Python's gzip (an independent reader).
    static func gzipLines(_ path: String) throws -> [String] {
        let script =
            "import gzip, sys, json\nprint(json.dumps([l.decode() for l in gzip.open(sys.argv[1]).read().split(b'\\n') if l]))"
        let result = try ExternalTool.run("python3", ["-c", script, path])
        guard result.ok else { throw TarListingError(message: "python3 could not read \(path): \(result.stderr)") }
        return try JSONDecoder().decode([String].self, from: Data(result.stdout.utf8))
    }

    /// Listing requests (Graph `/images`) for `user` since the log was last cleared.
    static func listings(_ sandbox: MapillarySandbox, _ user: String) -> Int {
        sandbox.requestLog().filter {
            $0.origin == .api && $0.path == "/images" && $0.queryValue("creator_username") == user
        }.count
    }

    @Test func skipExistingListsNobodyArchivedHereOrOnIA() async throws {
        let h = try CLIHarness(users: [
            .init(name: "alice", imageCount: 5), .init(name: "bob", imageCount: 4),
            .init(name: "carol", imageCount: 3),
        ])
        defer { h.close() }
        // alice: uploaded, then her local copy removed (she is only on IA); bob: archived here, never uploaded.
        let alice = try await h.download(["alice", "--upload"])
        #expect(alice.status == 0, "\(alice.transcript)")
        try FileManager.default.removeItem(atPath: h.item("alice"))
        #expect(try await h.download(["bob"]).status == 0)
        h.mapillary.clearRequestLog()

        let run = try await h.download(["alice", "bob", "carol", "--skip-existing", "--upload"])
        #expect(run.status == 0, "\(run.transcript)")
        #expect(
            run.stderr.contains("alice: mapillary-alice-256-webp is already on the Internet Archive"),
            "\(run.transcript)")
        #expect(
            run.stderr.contains("alice: mapillary-alice-256-webp is already on the Internet Archive")
                && run.stderr.contains("; skipping (--skip-existing)"), "\(run.transcript)")
        #expect(run.stderr.contains("bob: \(h.item("bob")) exists; skipping (--skip-existing)"), "\(run.transcript)")
        #expect(run.stdout.contains("already on IA: mapillary-alice-256-webp"), "\(run.transcript)")
        #expect(run.stdout.contains("exists: \(h.item("bob"))"), "\(run.transcript)")
        #expect(
            Self.listings(h.mapillary, "alice") == 0 && Self.listings(h.mapillary, "bob") == 0,
            "no listing request for a skipped user")
        #expect(Self.listings(h.mapillary, "carol") >= 1)
        #expect(!FileManager.default.fileExists(atPath: h.item("alice")), "nothing was downloaded for alice")
        #expect(h.ia.item("mapillary-bob-256-webp") == nil, "bob's existing item was left alone, not uploaded")
        #expect(h.ia.item("mapillary-carol-256-webp") != nil, "the new user was archived and uploaded")
    }

    @Test func aUserWhoseLocalItemIsGoneIsUpdatedFromIAsCopyWithAddendumTarsOnly() async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 24)], seed: 11)
        defer { h.close() }
        let identifier = "mapillary-alice-256-webp"
        let first = try await h.download(["alice", "--upload"])
        #expect(first.status == 0 && first.stdout.contains("uploaded and verified"), "\(first.transcript)")
        let before = try #require(h.ia.item(identifier)).files.mapValues(\.md5)
        let firstRecords = try Self.gzipLines(h.item("alice") + "/metadata.jsonl.gz")
        #expect(firstRecords.count == Set(h.mapillary.archivableIDs("alice")).count)
        // The local copy is deleted after the upload (a full disk, another machine): only IA has the item.
        try FileManager.default.removeItem(atPath: h.item("alice"))

        // Weeks later alice has 12 more images (the same seed gives the same first 24).
        let mapillary = try h.fixture.later(user: "alice", imageCount: 36, seed: 11)
        defer { mapillary.stop() }
        let images = mapillary.mapillary.expectedImages(user: "alice")
        #expect(Array(images.prefix(24).map(\.id)) == h.mapillary.expectedImages(user: "alice").map(\.id))
        let newIDs = Set(images.suffix(12).filter(\.isArchivable).map(\.id))
        h.ia.clearRequestLog()

        let second = try await h.download(["alice", "--upload", "--api-url", mapillary.apiURL])
        #expect(second.status == 0, "\(second.transcript)")
        #expect(second.stderr.contains("alice: \(identifier) is on the Internet Archive"), "\(second.transcript)")
        #expect(
            second.stderr.contains("reading its metadata.jsonl.gz to look for images added since"),
            "\(second.transcript)")
        #expect(second.stdout.contains("uploaded and verified"), "\(second.transcript)")

        // Only the new images were fetched from the CDN, and IA's tars were neither read nor replaced.
        let fetched = Set(
            mapillary.mapillary.requestLog().filter { $0.origin == .cdn }
                .compactMap { $0.path.split(separator: "/").last.map { String($0.prefix { $0 != "_" }) } })
        #expect(fetched == newIDs, "the CDN was asked for the new images only")
        let reads = h.ia.requestLog().filter { $0.host == .archive && $0.path.hasPrefix("/serve/") }.map(\.path)
        #expect(
            reads == ["/serve/\(identifier)/metadata.jsonl.gz"], "IA was asked for its metadata.jsonl.gz only: \(reads)"
        )
        let puts = Set(
            h.ia.requestLog().filter { $0.host == .s3 && $0.method == "PUT" }.map {
                String($0.path.dropFirst(identifier.count + 2))
            })
        let after = try #require(h.ia.item(identifier)).files
        for (name, md5) in before where name.hasSuffix(".tar") {
            #expect(!puts.contains(name), "\(name) was not sent again")
            #expect(after[name]?.md5 == md5, "\(name) on IA is unchanged")
        }
        let newTars = puts.filter { $0.hasSuffix(".tar") }
        #expect(
            !newTars.isEmpty && newTars.allSatisfy { before[$0] == nil }, "new images went into new tars: \(newTars)")
        #expect(
            !puts.contains("__ia_thumb__.jpg") && after["__ia_thumb__.jpg"]?.md5 == before["__ia_thumb__.jpg"],
            "IA's thumbnail stays")

        // IA's metadata.jsonl.gz now holds every record: the earlier lines as they were, then the new ones.
        let records = try Self.gzipLines(try #require(after["metadata.jsonl.gz"]?.path))
        #expect(records.count == firstRecords.count + newIDs.count)
        #expect(Array(records.prefix(firstRecords.count)) == firstRecords)
        let local = try await TarListing.members(item: h.item("alice"))
        #expect(Set(local.map(\.imageID)) == newIDs, "the local item holds the new images")
        let verify = try await h.verify(h.item("alice"))
        #expect(verify.status == 0, "\(verify.transcript)")
        #expect(
            verify.stdout.contains("\(firstRecords.count) archived images are only on the Internet Archive"),
            "\(verify.transcript)")

        // Gone again, with nothing new: IA's copy is up to date; nothing is fetched or sent.
        try FileManager.default.removeItem(atPath: h.item("alice"))
        mapillary.mapillary.clearRequestLog()
        h.ia.clearRequestLog()
        let third = try await h.download(["alice", "--upload", "--api-url", mapillary.apiURL])
        #expect(third.status == 0, "\(third.transcript)")
        #expect(third.stdout.contains("up to date on IA: \(identifier)"), "\(third.transcript)")
        #expect(mapillary.mapillary.requestLog().filter { $0.origin == .cdn }.isEmpty)
        #expect(h.ia.requestLog().filter { $0.host == .s3 && $0.method != "GET" }.isEmpty, "nothing was sent to IA")
    }
}
