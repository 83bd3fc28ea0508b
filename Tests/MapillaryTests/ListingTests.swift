import Mapillary
import SandboxKit
import Testing

@Suite struct ListingTests {
    @Test func pagingFollowsNextLinksToTheFullSetOfIDs() async throws {
        let h = try Harness { $0.users = [.init(name: "alice", imageCount: 57), .init(name: "bob", imageCount: 9)] }
        defer { h.close() }
        let listing = try await h.listAll(user: "alice", limit: 10)
        #expect(listing.pages == 6)
        #expect(listing.ids == h.sandbox.mapillary.archivableIDs("alice"), "every id once, in listing order")
        #expect(listing.rejected.isEmpty)
        #expect(Set(listing.ids).isDisjoint(with: h.sandbox.mapillary.archivableIDs("bob")))
        let expected = h.sandbox.mapillary.expectedImages(user: "alice")
        for (record, image) in zip(listing.records, expected) {
            #expect(record.captureDateUTC == image.captureDateUTC)
            #expect(record.sequence == image.sequence)
            #expect(record.geometry == GeoPoint(longitude: image.longitude, latitude: image.latitude))
            #expect(record.creatorUsername == "alice")
        }
    }

    @Test func theRequestAsksForTheToolkitsFieldsAndOnlyTheChosenThumbnail() async throws {
        let h = try Harness { $0.users = [.init(name: "alice", imageCount: 3)] }
        defer { h.close() }
        _ = try await h.listAll(user: "alice", quality: .q2048)
        let pageRequests = h.sandbox.mapillary.requestLog().filter { $0.origin == .api && $0.path == "/images" }
        #expect(pageRequests.count == 1)
        let request = try #require(pageRequests.first)
        let fields = (request.queryValue("fields") ?? "").split(separator: ",").map(String.init)
        #expect(fields.contains("thumb_2048_url"))
        #expect(fields.filter { $0.hasPrefix("thumb_") } == ["thumb_2048_url"])
        for needed in [
            "id", "captured_at", "geometry", "computed_geometry", "altitude", "computed_altitude",
            "compass_angle", "computed_compass_angle", "sequence", "is_pano", "camera_type", "make",
            "model", "width", "height", "exif_orientation", "creator", "camera_parameters",
            "computed_rotation",
        ] {
            #expect(fields.contains(needed), "missing \(needed)")
        }
        #expect(request.queryValue("creator_username") == "alice")
        #expect(request.queryValue("limit") == "2000")
        #expect(request.header("Authorization") == "OAuth " + h.sandbox.token)
        #expect(request.queryValue("access_token") == nil, "the token never travels in the URL")
    }

    @Test func recordsCarryOnlyTheRequestedFieldsAndOmitAbsentOnes() async throws {
        let h = try Harness { $0.users = [.init(name: "alice", imageCount: 40)] }
        defer { h.close() }
        let listing = try await h.listAll(user: "alice", quality: .q1024)
        let lines = listing.records.map { String(decoding: $0.rawJSON, as: UTF8.self) }
        #expect(lines.allSatisfy { $0.contains("\"thumb_1024_url\":") && !$0.contains("thumb_256_url") })
        #expect(lines.allSatisfy { !$0.contains("null") }, "absent fields are omitted, not null")
        #expect(lines.contains { !$0.contains("\"computed_geometry\"") }, "some records lack computed_geometry")
        #expect(lines.contains { !$0.contains("\"captured_at\"") }, "some records lack captured_at")
        #expect(lines.contains { $0.contains("\"altitude\":4294967281") || $0.contains("\"altitude\":42949672") })
        #expect(listing.records.contains { $0.isPano == true && $0.cameraType == "equirectangular" })
        #expect(listing.records.contains { $0.isPano == true && $0.cameraType == "spherical" })
        #expect(listing.records.contains { $0.altitude == 0 })
        #expect(listing.records.contains { $0.computedCompassAngle == 0 })
        #expect(listing.records.contains { $0.computedCompassAngle == 359.99 })
        let dates = Set(listing.records.compactMap(\.captureDateUTC))
        #expect(dates.count >= 2, "captures spread over several UTC days")
    }

    @Test func aSavedNextLinkResumesAgainstARestartedSandbox() async throws {
        let users: [SandboxConfiguration.User] = [.init(name: "carol", imageCount: 45)]
        let first = try Harness(label: "resume-a") {
            $0.users = users; $0.seed = 77
        }
        var url: String? = first.client.firstPageURL(user: "carol", quality: .q256, bbox: nil, limit: 10)
        var seen: [String] = []
        for _ in 0..<2 {
            let page = try await first.client.fetchPage(url: try #require(url))
            seen += page.records.map(\.id)
            url = page.next
        }
        let saved = try #require(url)
        let oldBase = first.sandbox.apiURL
        first.close()

        let second = try Harness(label: "resume-b") {
            $0.users = users; $0.seed = 77
        }
        defer { second.close() }
        // The production host stays the same across restarts; the sandbox's port does not.
        url = second.sandbox.apiURL + saved.dropFirst(oldBase.count)
        while let current = url {
            let page = try await second.client.fetchPage(url: current)
            seen += page.records.map(\.id)
            url = page.next
        }
        #expect(seen == second.sandbox.mapillary.archivableIDs("carol"))
        #expect(Set(seen).count == 45)
    }

    @Test func aCursorFromAnotherQueryIsRefusedAndShown() async throws {
        let h = try Harness { $0.users = [.init(name: "alice", imageCount: 12), .init(name: "bob", imageCount: 12)] }
        defer { h.close() }
        let page = try await h.client.fetchPage(
            url: h.client.firstPageURL(user: "alice", quality: .q256, bbox: nil, limit: 5))
        let next = try #require(page.next)
        let forged = next.replacingOccurrences(of: "creator_username=alice", with: "creator_username=bob")
        let before = h.sandbox.mapillary.counters.apiRequests
        await #expect {
            _ = try await h.client.fetchPage(url: forged)
        } throws: { error in
            let e = error as? MapillaryError
            return e?.code == .requestRefused && e!.description.contains("cursor is invalid")
        }
        #expect(h.sandbox.mapillary.counters.apiRequests == before + 1, "a 400 is not retried")
    }

    @Test func bboxListingsReturnExactlyTheImagesInsideTheBox() async throws {
        let h = try Harness { $0.users = [.init(name: "dave", imageCount: 80)] }
        defer { h.close() }
        let images = h.sandbox.mapillary.expectedImages(user: "dave")
        let lons = images.map(\.longitude).sorted(), lats = images.map(\.latitude).sorted()
        let box = try BoundingBox(
            west: lons[lons.count / 4], south: lats[lats.count / 4],
            east: lons[lons.count / 4] + 0.06, north: lats[lats.count / 4] + 0.06)
        let listing = try await h.listAll(user: "dave", bbox: box, limit: 7)
        let expected = images.filter { box.contains(longitude: $0.longitude, latitude: $0.latitude) }.map(\.id)
        #expect(!expected.isEmpty && expected.count < images.count, "the box cuts the set")
        #expect(listing.ids == expected)
        let request = h.sandbox.mapillary.requestLog().first { $0.path == "/images" }
        #expect(request?.queryValue("bbox") == box.queryValue)
    }

    @Test func hostileRecordsAreRefusedWithReasonsWhileValidOnesPass() async throws {
        let h = try Harness { $0.users = [.init(name: "mallory", imageCount: 30, kind: .hostile)] }
        defer { h.close() }
        let listing = try await h.listAll(user: "mallory", limit: 8)
        let images = h.sandbox.mapillary.expectedImages(user: "mallory")
        let unsafe = images.filter { $0.hostility?.makesRecordUnsafe == true }
        #expect(Set(unsafe.compactMap(\.hostility)) == [.traversalSequence, .slashInID, .nulInID, .newlineInSequence])
        #expect(listing.rejected.count == unsafe.count)
        #expect(listing.records.count == images.count - unsafe.count)
        #expect(
            listing.records.allSatisfy {
                ImageRecord.isSafeName($0.id) && $0.sequence.map(ImageRecord.isSafeName) ?? true
            })
        #expect(listing.rejected.contains { $0.reason.contains("\"../../x\" is not a safe name") })
        #expect(listing.rejected.contains { $0.reason.contains("/") && $0.reason.contains("id") })
        for rejected in listing.rejected {
            #expect(!rejected.reason.unicodeScalars.contains { $0.value < 0x20 })
            #expect(!rejected.preview.unicodeScalars.contains { $0.value < 0x20 })
        }
    }

    @Test func anEmptyUserAndAnUnknownUserListNothing() async throws {
        let h = try Harness { $0.users = [.init(name: "erin", imageCount: 0, kind: .empty)] }
        defer { h.close() }
        #expect(try await h.listAll(user: "erin").records.isEmpty)
        let unknown = try await h.listAll(user: "nobody-here")
        #expect(unknown.records.isEmpty && unknown.pages == 1)
    }
}
