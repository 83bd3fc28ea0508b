import HTTPClientKit
import Logging
import Mapillary
import SandboxKit
import Testing

/// Area queries (`/images?bbox=…&fields=id,creator`) against the sandbox, paging and capped, with capture-time
/// windows; and answers only a hostile API would give, against canned pages.
@Suite struct CreatorListingTests {
    static let region = SandboxConfiguration.Region(west: 13.4, south: 52.5, east: 13.45, north: 52.55)

    /// Every sighting of a piece, following next links.
    static func listAll(
        _ h: Harness, _ piece: AreaPiece, limit: Int
    ) async throws -> (sightings: [CreatorPage.Sighting], pages: [CreatorPage]) {
        var pages: [CreatorPage] = []
        var url: String? = h.client.firstCreatorPageURL(piece: piece, limit: limit)
        while let current = url {
            let page = try await h.client.fetchCreatorPage(url: current)
            pages.append(page)
            url = page.next
        }
        return (pages.flatMap(\.sightings), pages)
    }

    @Test func anAreaQueryPagesThroughEveryImageWithItsCreator() async throws {
        let h = try Harness {
            $0.users = [.init(name: "alice", imageCount: 5)]
            $0.areas = [.init(region: Self.region, creators: 4, images: 130)]
        }
        defer { h.close() }
        let piece = AreaPiece(box: try BoundingBox(west: 13.4, south: 52.5, east: 13.45, north: 52.55))
        let (sightings, pages) = try await Self.listAll(h, piece, limit: 50)
        #expect(pages.count == 3 && pages.allSatisfy { !$0.isPossiblyCapped })
        var counts: [String: Int] = [:]
        for sighting in sightings { counts[sighting.username ?? "?", default: 0] += 1 }
        #expect(counts == h.sandbox.mapillary.creatorCounts(in: Self.region))
        #expect(counts.count == 4 && counts.values.reduce(0, +) == 130)
        let query = try #require(h.sandbox.mapillary.requestLog().first { $0.path == "/images" })
        #expect(query.queryValue("fields") == "id,creator" && query.queryValue("creator_username") == nil)
    }

    @Test func aCappedAnswerIsAFullPageWithoutANextLink() async throws {
        let h = try Harness {
            $0.areas = [.init(region: Self.region, creators: 3, images: 90)]
            $0.bboxCap = 40
        }
        defer { h.close() }
        let piece = AreaPiece(box: try BoundingBox(west: 13.4, south: 52.5, east: 13.45, north: 52.55))
        let (sightings, pages) = try await Self.listAll(h, piece, limit: 40)
        #expect(pages.count == 1 && sightings.count == 40)
        #expect(pages[0].isPossiblyCapped, "40 of 90 images and no next link: the answer may have been cut")
        #expect(h.sandbox.mapillary.counters.cappedAnswers == 1)
        // A piece with fewer images than the cap answers in full and is not suspected.
        let small = AreaPiece(box: try BoundingBox(west: 13.4, south: 52.5, east: 13.401, north: 52.501))
        let (_, smallPages) = try await Self.listAll(h, small, limit: 40)
        #expect(smallPages.count == 1 && !smallPages[0].isPossiblyCapped)
    }

    @Test func aCaptureTimeWindowListsOnlyTheImagesTakenInIt() async throws {
        let h = try Harness { $0.areas = [.init(region: Self.region, creators: 2, images: 60)] }
        defer { h.close() }
        let images = h.sandbox.mapillary.users.flatMap { h.sandbox.mapillary.expectedImages(user: $0) }
            .filter { Self.region.contains(longitude: $0.longitude, latitude: $0.latitude) }
        let times = images.compactMap(\.capturedAt).sorted()
        #expect(times.count == 60, "every image in an area has a capture time")
        // From the second of the 20th capture to that of the 40th, both ends included.
        let window = AreaPiece.Window(start: times[20] / 1000, end: times[40] / 1000)
        let box = try BoundingBox(west: 13.4, south: 52.5, east: 13.45, north: 52.55)
        let (sightings, _) = try await Self.listAll(h, AreaPiece(box: box, window: window), limit: 2000)
        let expected = images.filter {
            ($0.capturedAt ?? 0) >= window.start * 1000 && ($0.capturedAt ?? 0) <= window.end * 1000
        }
        #expect(Set(sightings.map(\.imageID)) == Set(expected.map(\.id)))
        #expect(sightings.count < 60 && sightings.count >= 20)
        let query = try #require(h.sandbox.mapillary.requestLog().last { $0.path == "/images" })
        #expect(query.queryValue("start_captured_at") == AreaPiece.isoTime(seconds: window.start))
    }

    @Test func usernamesArePassedOnAsGivenAndRecordsWithoutAnIdAreCounted() async throws {
        let body = """
            {"data": [
              {"id": "1", "creator": {"username": "ali\\nce", "id": "7"}},
              {"id": "2", "creator": {"username": "\\u202egnp.exe", "id": "8"}},
              {"id": "3"},
              {"id": 4, "creator": {"username": "bob"}},
              {"creator": {"username": "carol"}},
              "not an object"
            ]}
            """
        let server = try CannedServer(["/images": .json(body)])
        defer { server.stop() }
        let http = HTTPClient()
        defer { http.shutdown() }
        let client = MapillaryClient(
            http: http, apiBase: server.baseURL, token: "MLY|1|secret", retry: fastRetry,
            logger: Logger(label: "test"))
        let piece = AreaPiece(box: try BoundingBox(parsing: "13.4,52.5,13.45,52.55"))
        let page = try await client.fetchCreatorPage(url: client.firstCreatorPageURL(piece: piece, limit: 6))
        #expect(
            page.sightings == [
                .init(imageID: "1", username: "ali\nce"), .init(imageID: "2", username: "\u{202E}gnp.exe"),
                .init(imageID: "3", username: nil),
            ])
        #expect(page.refused == 3)
        #expect(page.isPossiblyCapped, "six records of six asked, no next link")
    }
}
