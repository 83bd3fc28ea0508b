import Archiver
import Foundation
import Mapillary
import SandboxKit
import Testing
import TestSupport

@Suite struct PagingTests {
    @Test func aListingOfManyPagesArchivesExactlyTheUsersImages() async throws {
        // The API refuses pages above 25 records: the client shrinks its page and follows `next` to the end.
        let h = try DownloadHarness(users: [.init(name: "alice", imageCount: 130)]) { $0.maxRecordsPerResponse = 25 }
        defer { h.close() }
        let options = h.options(["alice"])
        let report = await h.run(options)
        let item = h.item("alice", options)

        #expect(report.exitCode == 0)
        #expect(report.users.first?.outcome == .published(path: item))
        #expect(report.users.first?.downloaded == 130)
        let pages = h.mapillary.requestLog().filter { $0.origin == .api && $0.path == "/images" }
        let followed = pages.filter { $0.queryValue("after") != nil }
        #expect(followed.count >= 5, "130 records at 25 a page need 6 pages")
        #expect(followed.allSatisfy { $0.queryValue("limit") == "25" })
        #expect(h.mapillary.counters.reduceDataAnswers > 0)

        let members = try await TarListing.members(item: item)
        let ids = members.map(\.imageID)
        #expect(ids.count == Set(ids).count, "no image is in the tars twice")
        #expect(Set(ids) == Set(h.mapillary.archivableIDs("alice")))
        let expectedOrder = h.mapillary.expectedImages(user: "alice").map(\.id)
        #expect(
            try await h.recordIDs(item) == expectedOrder, "metadata.jsonl.gz holds every record once, in listing order")
        #expect(await h.verify(item) == [])
    }

    @Test func aBoundingBoxArchivesOnlyTheImagesInsideIt() async throws {
        let h = try DownloadHarness(users: [.init(name: "alice", imageCount: 60)])
        defer { h.close() }
        let images = h.mapillary.expectedImages(user: "alice")
        let first = images.prefix(5)
        let pad = 0.00001
        let box = try BoundingBox(
            west: first.map(\.longitude).min()! - pad, south: first.map(\.latitude).min()! - pad,
            east: first.map(\.longitude).max()! + pad, north: first.map(\.latitude).max()! + pad)
        let inside = images.filter { box.contains(longitude: $0.longitude, latitude: $0.latitude) }
        try #require(inside.count >= 5 && inside.count < images.count)
        var options = h.options(["alice"])
        options.bbox = box
        let report = await h.run(options)
        #expect(report.exitCode == 0)
        let pages = h.mapillary.requestLog().filter { $0.origin == .api && $0.path == "/images" }
        #expect(pages.allSatisfy { $0.queryValue("bbox") == box.queryValue })
        let members = try await TarListing.members(item: h.item("alice", options))
        #expect(Set(members.map(\.imageID)) == Set(inside.map(\.id)))
    }

    @Test func severalUsersInOneRunEachGetTheirOwnItemAndAFailedUserDoesNotStopTheOthers() async throws {
        let h = try DownloadHarness(users: [
            .init(name: "alice", imageCount: 12), .init(name: "bob", imageCount: 9),
            .init(name: "ghost", imageCount: 0, kind: .empty),
        ])
        defer { h.close() }
        let options = h.options(["alice", "nobody", "ghost", "bob"])
        let report = await h.run(options)

        #expect(report.users.map(\.user) == ["alice", "nobody", "ghost", "bob"])
        #expect(
            report.users.map(\.outcome) == [
                .published(path: h.item("alice", options)), .noImages, .noImages,
                .published(path: h.item("bob", options)),
            ])
        #expect(report.exitCode == 1)
        let table = report.table()
        #expect(table.contains("failed: nobody ghost"))
        #expect(table.contains("no images"))
        #expect(
            h.consoleLines.contains {
                $0.contains(
                    "nobody: Mapillary lists no images for this user (check the spelling); nothing was published")
            })
        for user in ["alice", "bob"] {
            let members = try await TarListing.members(item: h.item(user, options))
            #expect(Set(members.map(\.imageID)) == Set(h.mapillary.archivableIDs(user)))
        }
        let published = try FileManager.default.contentsOfDirectory(atPath: h.output).sorted()
        #expect(
            published == ["mapillary-alice-256-webp", "mapillary-bob-256-webp"],
            "nothing is published for a user without images")
    }
}
