import HTTPClientKit
import Mapillary
import SandboxKit
import Testing
import TestSupport

@Suite struct DownloadTests {
    @Test func downloadsAreTheCDNsExactBytesAndNeverCarryTheToken() async throws {
        let h = try Harness { $0.users = [.init(name: "alice", imageCount: 12)] }
        defer { h.close() }
        let listing = try await h.listAll(user: "alice", quality: .q1024)
        for record in listing.records {
            let download = try await h.client.downloadImage(
                id: record.id, url: record.thumbURL, quality: .q1024, maxBytes: 8 << 20)
            #expect(download.bytes == (try h.sandbox.mapillary.imageBytes(id: record.id, quality: .q1024)))
            #expect(download.url == record.thumbURL)
        }
        let counters = h.sandbox.mapillary.counters
        #expect(counters.cdnRequests == 12)
        #expect(counters.cdnRequestsWithCredentials == 0)
        let cdnLog = h.sandbox.mapillary.requestLog().filter { $0.origin == .cdn }
        #expect(cdnLog.allSatisfy { $0.header("Authorization") == nil && !$0.target.contains("access_token") })
    }

    @Test func expiredURLsAreRefreshedAndTheBytesStillMatch() async throws {
        let h = try Harness { $0.users = [.init(name: "alice", imageCount: 6)] }
        defer { h.close() }
        let listing = try await h.listAll(user: "alice", quality: .q256)
        h.sandbox.mapillary.expireAllURLs()
        for record in listing.records {
            let download = try await h.client.downloadImage(
                id: record.id, url: record.thumbURL, quality: .q256, maxBytes: 1 << 22)
            #expect(download.bytes == (try h.sandbox.mapillary.imageBytes(id: record.id, quality: .q256)))
            #expect(download.url != record.thumbURL, "a fresh URL was used")
        }
        let counters = h.sandbox.mapillary.counters
        #expect(counters.expiredURLs == 6)
        #expect(counters.lookupRequests == 6)
        #expect(counters.cdnRequestsWithCredentials == 0)
        let lookups = h.sandbox.mapillary.requestLog().filter { $0.origin == .api && $0.path != "/images" }
        #expect(lookups.allSatisfy { $0.queryValue("fields") == "thumb_256_url" })
    }

    @Test func listingsWithZeroLifetimeURLsDownloadThroughLookups() async throws {
        let h = try Harness {
            $0.users = [.init(name: "alice", imageCount: 4)]
            $0.urlLifetime = .zero
            $0.originalSize = PixelSize(width: 640, height: 480)
        }
        defer { h.close() }
        let listing = try await h.listAll(user: "alice", quality: .q2048)
        for record in listing.records {
            let download = try await h.client.downloadImage(
                id: record.id, url: record.thumbURL, quality: .q2048, maxBytes: 16 << 20)
            #expect(download.bytes == (try h.sandbox.mapillary.imageBytes(id: record.id, quality: .q2048)))
        }
        #expect(h.sandbox.mapillary.counters.expiredURLs == 4)
    }

    @Test func aMissingURLIsLookedUpAndAMissingRenditionIsPermanent() async throws {
        let h = try Harness { $0.users = [.init(name: "mallory", imageCount: 25, kind: .hostile)] }
        defer { h.close() }
        let images = h.sandbox.mapillary.expectedImages(user: "mallory")
        let valid = try #require(images.first { $0.isArchivable })
        let download = try await h.client.downloadImage(id: valid.id, url: nil, quality: .q256, maxBytes: 1 << 22)
        #expect(download.bytes == (try h.sandbox.mapillary.imageBytes(id: valid.id, quality: .q256)))

        let bare = try #require(images.first { $0.hostility == .missingRendition })
        await #expect {
            _ = try await h.client.downloadImage(id: bare.id, url: nil, quality: .q256, maxBytes: 1 << 22)
        } throws: { error in
            let e = error as? MapillaryError
            return e?.code == .renditionMissing && e!.isPermanentForImage
                && e!.description
                    == "image \(bare.id) has no 256 rendition on Mapillary (no thumb_256_url); try another --quality"
        }
    }

    @Test func anImageTheAPINoLongerKnowsIsGoneForGood() async throws {
        let h = try Harness()
        defer { h.close() }
        await #expect {
            _ = try await h.client.downloadImage(id: "1000000000000001", url: nil, quality: .q256, maxBytes: 1 << 20)
        } throws: { error in
            let e = error as? MapillaryError
            return e?.code == .imageGone
                && e!.description == "image 1000000000000001 is no longer on Mapillary (the API answered 404 for it)"
        }
        #expect(h.sandbox.mapillary.counters.apiRequests == 1, "a 404 is not retried")
    }

    @Test func aCDNThatAnswersWithSomethingElseThanAJPEGFailsPermanently() async throws {
        let h = try Harness { $0.users = [.init(name: "oscar", imageCount: 2, kind: .nonJPEG)] }
        defer { h.close() }
        let record = try #require(try await h.listAll(user: "oscar").records.first)
        await #expect {
            _ = try await h.client.downloadImage(id: record.id, url: record.thumbURL, quality: .q256, maxBytes: 1 << 20)
        } throws: { error in
            let e = error as? MapillaryError
            return e?.code == .notJPEG
                && e!.description.hasPrefix("the CDN answered with something that is not a JPEG for image \(record.id)")
        }
        #expect(h.sandbox.mapillary.counters.cdnRequests == 1)
    }

    @Test func anImageOverTheByteLimitIsRefused() async throws {
        let h = try Harness { $0.users = [.init(name: "alice", imageCount: 1)] }
        defer { h.close() }
        let record = try #require(try await h.listAll(user: "alice", quality: .q1024).records.first)
        await #expect {
            _ = try await h.client.downloadImage(id: record.id, url: record.thumbURL, quality: .q1024, maxBytes: 1000)
        } throws: { ($0 as? MapillaryError)?.code == .imageTooLarge }
    }

    @Test func unsafeIDsNeverReachTheNetwork() async throws {
        let h = try Harness()
        defer { h.close() }
        await #expect(throws: MapillaryError.self) {
            _ = try await h.client.downloadImage(id: "../../etc", url: nil, quality: .q256, maxBytes: 1 << 20)
        }
        await #expect(throws: MapillaryError.self) {
            _ = try await h.client.refreshThumbURL(id: "1/2", quality: .q256)
        }
        #expect(h.sandbox.mapillary.counters.apiRequests == 0)
    }
}
