import Archiver
import Essentials
import Foundation
import HTTPClientKit
import InternetArchive
import SandboxKit
import Testing
import TestSupport

/// A sandbox whose IA holds `items`, and collectors over it.
private final class StatsHarness: Sendable {
    let harness: DownloadHarness

    init(
        _ items: [InternetArchiveSandboxConfiguration.Item],
        _ configure: (inout InternetArchiveSandboxConfiguration) -> Void = { _ in }
    ) throws {
        harness = try DownloadHarness(label: "stats", users: []) { configuration in
            var ia = InternetArchiveSandboxConfiguration()
            ia.items = items
            configure(&ia)
            configuration.internetArchive = ia
        }
    }

    var ia: InternetArchiveSandbox { harness.sandbox.internetArchive! }
    var cache: String { harness.temp.file("cache/.stats.json") }

    func collector(
        cache: Bool = true, pageSize: Int = 10_000, maxAge: Duration = .seconds(3600),
        retry: RetryPolicy = fastRetry
    ) -> StatsCollector {
        StatsCollector(
            http: harness.env.http, endpoints: harness.endpoints!, cachePath: cache ? self.cache : nil,
            maxAge: maxAge, pageSize: pageSize, retry: retry)
    }

    func report(refresh: Bool = true) async throws -> StatsReport {
        let snapshot = try await collector().collect(refresh: refresh)
        return StatsReport(items: snapshot.items, fetchedAt: snapshot.fetchedAt, fromCache: snapshot.fromCache)
    }

    func requests(_ path: String) -> [IARequestRecord] { ia.requestLog().filter { $0.path.hasPrefix(path) } }

    /// The requests to `path` once there are `count` of them (the sandbox logs a request after it answered, so the
    /// last one can lag the client by a moment), or after 5 s.
    func requests(_ path: String, atLeast count: Int) async -> [IARequestRecord] {
        let deadline = ContinuousClock.now + .seconds(5)
        while requests(path).count < count && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return requests(path)
    }

    func close() { harness.close() }
}

private func item(
    _ identifier: String, _ metadata: [String: [String]], size: Int64 = 100
)
    -> InternetArchiveSandboxConfiguration.Item
{
    .init(identifier: identifier, metadata: metadata, itemSize: size)
}

/// The numbers `stats` must print, worked out here from the items' metadata by other means than the collector
/// (the user from `creator`, the quality from the description, the count with a regular expression).
private struct Expected {
    var items = 0, ours = 0, images = 0, bytes: Int64 = 0
    var largest: [String: Int] = [:]
    var perQuality: [String: (items: Int, images: Int, largest: [String: Int])] = [:]
    var perCollection: [String: Int] = [:]
    var outside: [String: (items: [String], images: Int, bytes: Int64)] = [:]

    init(_ items: [InternetArchiveSandboxConfiguration.Item]) {
        let count = try! NSRegularExpression(pattern: "Contains ([0-9,]+) images")
        let resolution = try! NSRegularExpression(pattern: "in ([0-9]+)px resolution")
        for item in items
        where item.metadata["mapillary_archiver"] != nil || item.metadata["mapillary_downloader"] != nil {
            let description = item.metadata["description"]?.first ?? ""
            let range = NSRange(description.startIndex..., in: description)
            let images =
                count.firstMatch(in: description, range: range).map {
                    Int(
                        String(description[Range($0.range(at: 1), in: description)!]).replacingOccurrences(
                            of: ",", with: ""))!
                } ?? 0
            let quality =
                description.contains("in original resolution")
                ? "original"
                : resolution.firstMatch(in: description, range: range).map {
                    String(description[Range($0.range(at: 1), in: description)!])
                } ?? "unknown"
            let user = item.metadata["creator"]!.first!
            let size = item.itemSize ?? 0
            self.items += 1
            if item.metadata["mapillary_archiver"] != nil { ours += 1 }
            self.images += images
            bytes += size
            largest[user] = max(largest[user] ?? 0, images)
            var group = perQuality[quality] ?? (0, 0, [:])
            group.items += 1
            group.images += images
            group.largest[user] = max(group.largest[user] ?? 0, images)
            perQuality[quality] = group
            let collections = item.metadata["collection"] ?? []
            for collection in collections { perCollection[collection, default: 0] += 1 }
            if !collections.contains("mapillary-images") {
                let uploader = item.metadata["uploader"]?.first ?? "unknown"
                var entry = outside[uploader] ?? ([], 0, 0)
                entry.items.append(item.identifier)
                entry.images += images
                entry.bytes += size
                outside[uploader] = entry
            }
        }
    }

    var unique: Int { largest.values.reduce(0, +) }
}

@Suite struct StatsTests {
    @Test func statsEqualTheSandboxItemsIncludingUniqueImagesAcrossQualities() async throws {
        let items = InternetArchiveSandboxConfiguration.mapillaryItems(count: 1_000)
        let h = try StatsHarness(items + [item("unrelated-item", ["title": ["nothing"]])])
        defer { h.close() }
        let report = try await h.report()
        let expected = Expected(items)

        let scrapes = await h.requests("/services/search/v1/scrape", atLeast: 1)
        #expect(scrapes.count == 1, "1,000 items come in one page of 10,000")
        #expect(scrapes.first?.queryValue("count") == "10000")
        #expect(report.total.items == 1_000)
        #expect(report.total.archiverItems == expected.ours)
        #expect(report.total.downloaderItems == 1_000 - expected.ours)
        #expect(report.total.images == expected.images)
        #expect(report.total.uniqueImages == expected.unique)
        #expect(report.total.uniqueImages < report.total.images, "contributors at several qualities count once")
        #expect(report.total.bytes == expected.bytes)
        #expect(report.total.users.count == expected.largest.count)
        #expect(report.total.users.contains("Zoë hana"), "a mapped identifier's user comes from the metadata")
        #expect(abs(report.total.shareOfMapillary - Double(expected.unique) / 2e9) < 1e-12)
        #expect(report.qualities.map(\.name) == ["original", "2048", "1024", "256"])
        for tally in report.qualities {
            let group = try #require(expected.perQuality[tally.name])
            #expect(tally.items == group.items, "\(tally.name)")
            #expect(tally.images == group.images, "\(tally.name)")
            #expect(tally.uniqueImages == group.largest.values.reduce(0, +), "\(tally.name)")
        }
        #expect(report.collections.map(\.name) == expected.perCollection.keys.sorted())
        #expect(
            report.collections.map(\.items) == expected.perCollection.keys.sorted().map { expected.perCollection[$0]! })
        #expect(report.outsideMapillaryImages.map(\.uploader).sorted() == expected.outside.keys.sorted())
        for uploader in report.outsideMapillaryImages {
            let entry = try #require(expected.outside[uploader.uploader])
            #expect(uploader.items == entry.items.sorted())
            #expect(uploader.images == entry.images)
            #expect(uploader.bytes == entry.bytes)
        }
        let table = report.table(cachePath: h.cache)
        #expect(table.split(separator: "\n").allSatisfy { $0.count <= 100 }, "\(table)")
        #expect(table.contains("unique images  \(ByteFormat.grouped(expected.unique))"))
    }

    @Test func aContributorAtSeveralQualitiesCountsOnceAtTheirLargestCount() async throws {
        func described(_ user: String, _ images: Int, _ resolution: String) -> [String] {
            [
                "Street-level imagery from Mapillary user '\(user)'. Contains \(ByteFormat.grouped(images)) images in \(resolution)."
            ]
        }
        let ours = ["mapillary_archiver": ["0.1.0"], "collection": ["mapillary-images"]]
        let python = ["mapillary_downloader": ["0.12.0"], "collection": ["mapillary-images"]]
        let h = try StatsHarness([
            item(
                "mapillary-alice-original",
                ours.merging([
                    "mapillary_user": ["alice"], "description": described("alice", 120, "original resolution"),
                ]) { a, _ in a }),
            item(
                "mapillary-alice-2048-webp",
                python.merging(["creator": ["alice"], "description": described("alice", 1_300, "2048px resolution")]) {
                    a, _ in a
                }),
            item(
                "mapillary-alice-256",
                python.merging(["description": described("alice", 90, "256px resolution")]) { a, _ in a }),
            // A mapped identifier: the real name is in mapillary_user, or in source when that was removed.
            item(
                "mapillary-Zo_Smith-3c1f0d2a-original-webp",
                ours.merging([
                    "mapillary_user": ["Zoë Smith"], "description": described("Zoë Smith", 50, "original resolution"),
                ]) { a, _ in a }),
            item(
                "mapillary-Zo_Smith-3c1f0d2a-256",
                ours.merging([
                    "source": ["https://www.mapillary.com/app/user/Zoë Smith"],
                    "description": described("Zoë Smith", 48, "256px resolution"),
                ]) { a, _ in a }),
            // creator is a person's name, not the username: the source and identifier win.
            item(
                "mapillary-bob-1024",
                python.merging(["creator": ["Robert B."], "description": described("bob", 7, "1024px resolution")]) {
                    a, _ in a
                }),
            // A packaged folder: no user, no image count, quality unknown.
            item("my-photos-2024", ["mapillary_archiver": ["0.1.0"], "collection": ["opensource"]]),
        ])
        defer { h.close() }
        let report = try await h.report()
        #expect(report.total.items == 7)
        #expect(report.total.users == ["Zoë Smith", "alice", "bob"])
        #expect(report.total.images == 120 + 1_300 + 90 + 50 + 48 + 7)
        #expect(report.total.uniqueImages == 1_300 + 50 + 7)
        #expect(report.total.archiverItems == 4)
        #expect(report.qualities.map(\.name) == ["original", "2048", "1024", "256", "unknown"])
        #expect(report.qualities.map(\.uniqueImages) == [170, 1_300, 7, 138, 0])
        #expect(report.outsideMapillaryImages.map(\.items) == [["my-photos-2024"]])
        #expect(report.outsideMapillaryImages.map(\.uploader) == ["someone@example.org"])
    }

    @Test func pagesWithTheCursorPastIAs10000ResultLimit() async throws {
        let h = try StatsHarness(InternetArchiveSandboxConfiguration.mapillaryItems(count: 10_050))
        defer { h.close() }
        let report = try await h.report()
        let scrapes = await h.requests("/services/search/v1/scrape", atLeast: 2)
        #expect(scrapes.map { $0.queryValue("cursor") != nil } == [false, true])
        #expect(scrapes.allSatisfy { $0.queryValue("count") == "10000" })
        #expect(report.total.items == 10_050)

        let small = try StatsHarness(InternetArchiveSandboxConfiguration.mapillaryItems(count: 250))
        defer { small.close() }
        let paged = try await small.collector(cache: false, pageSize: 7).collect()
        #expect(Set(paged.items.map(\.identifier)).count == 250)
        #expect(
            await small.requests("/services/search/v1/scrape", atLeast: 3).map { $0.queryValue("count") } == [
                "100", "100", "100",
            ],
            "a page size below IA's minimum of 100 is raised to it")
    }

    @Test func rateLimitedScrapesAreRetriedThenFailInOneSentence() async throws {
        let h = try StatsHarness(InternetArchiveSandboxConfiguration.mapillaryItems(count: 20)) {
            $0.scrapeRateLimitBurst = 2
        }
        defer { h.close() }
        let clock = ContinuousClock()
        let started = clock.now
        let snapshot = try await h.collector(cache: false).collect()
        #expect(snapshot.items.count == 20)
        #expect(await h.requests("/services/search/v1/scrape", atLeast: 3).map(\.status) == [429, 429, 200])
        #expect(clock.now - started >= .seconds(2), "IA's Retry-After: 1 is waited out before each retry")

        h.ia.throttleScrapes(count: 10)
        let error = await #expect(throws: InternetArchiveError.self) {
            _ = try await h.collector(
                cache: false, retry: RetryPolicy(maxAttempts: 2, baseDelay: .zero, maxDelay: .zero)
            ).collect()
        }
        #expect(
            error?.description
                == "archive.org kept refusing the search \(StatsCollector.query) with HTTP 429 (too many "
                + "requests); wait a few minutes and try again")
    }

    @Test func uploadersTheScrapeAPIWithholdsAreReadFromTheMetadataAPIOnce() async throws {
        let items = InternetArchiveSandboxConfiguration.mapillaryItems(count: 200)
        let h = try StatsHarness(items) { $0.scrapeWithheldFields = ["uploader"] }
        defer { h.close() }
        let report = try await h.report()
        let expected = Expected(items)
        #expect(!expected.outside.isEmpty)
        #expect(
            Dictionary(uniqueKeysWithValues: report.outsideMapillaryImages.map { ($0.uploader, $0.items) })
                == expected.outside.mapValues { $0.items.sorted() })
        let outside = expected.outside.values.reduce(0) { $0 + $1.items.count }
        let lookups = await h.requests("/metadata/", atLeast: outside)
        #expect(lookups.count == outside)
        #expect(lookups.allSatisfy { $0.path.hasSuffix("/metadata/uploader") })

        h.ia.clearRequestLog()
        let again = try await h.report(refresh: true)
        #expect(again.outsideMapillaryImages == report.outsideMapillaryImages)
        #expect(h.requests("/metadata/").isEmpty, "uploaders already known are taken from the cache")
    }

    @Test func theCacheServesAnHourAndStandsInWhenIAIsUnreachable() async throws {
        let h = try StatsHarness(InternetArchiveSandboxConfiguration.mapillaryItems(count: 30))
        defer { h.close() }
        let first = try await h.collector().collect()
        #expect(!first.fromCache)
        #expect(FileManager.default.fileExists(atPath: h.cache))

        _ = await h.requests("/services/search/v1/scrape", atLeast: 1)
        h.ia.clearRequestLog()
        let cached = try await h.collector().collect()
        #expect(cached.fromCache)
        #expect(cached.items == first.items)
        #expect(h.ia.requestLog().isEmpty)
        #expect(try await !h.collector().collect(refresh: true).fromCache)
        #expect(try await !h.collector().collect(now: Date().addingTimeInterval(7200)).fromCache)

        h.ia.setFaultRate(1)
        let fallback = try await h.collector(maxAge: .zero, retry: .none).collect(
            now: Date().addingTimeInterval(86_400))
        #expect(fallback.fromCache)
        #expect(fallback.items == first.items)
        await #expect(throws: InternetArchiveError.self) {
            _ = try await h.collector(cache: false, retry: .none).collect()
        }
    }

    @Test func theJSONShapeIsStableAndTheTotalOnlyChangesTheShare() async throws {
        let h = try StatsHarness(InternetArchiveSandboxConfiguration.mapillaryItems(count: 50))
        defer { h.close() }
        let snapshot = try await h.collector().collect()
        let report = StatsReport(
            items: snapshot.items, fetchedAt: snapshot.fetchedAt, fromCache: snapshot.fromCache,
            mapillaryTotal: .given(1_000_000))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect(
            Set(json.keys) == [
                "fetched_at", "from_cache", "mapillary_total", "total", "collections", "qualities",
                "outside_mapillary_images",
            ])
        let total = try #require(json["total"] as? [String: Any])
        #expect(
            Set(total.keys) == [
                "name", "items", "archiver_items", "downloader_items", "images", "unique_images",
                "share_of_mapillary", "bytes", "users",
            ])
        #expect(total["items"] as? Int == 50)
        let share = try #require(total["share_of_mapillary"] as? Double)
        #expect(abs(share - Double(report.total.uniqueImages) / 1_000_000) < 1e-12)
        #expect((json["mapillary_total"] as? [String: Any])?["images"] as? Int == 1_000_000)
        let outside = try #require(json["outside_mapillary_images"] as? [[String: Any]])
        #expect(outside.allSatisfy { Set($0.keys) == ["uploader", "items", "images", "bytes"] })
        let documented = StatsReport(items: snapshot.items, fetchedAt: snapshot.fetchedAt)
        #expect(documented.total.uniqueImages == report.total.uniqueImages)
        #expect(documented.mapillaryTotal.images == 2_000_000_000)
    }

    @Test func theCampaignQueuesOwnProgressStandsBesideIAs() async throws {
        let h = try StatsHarness(InternetArchiveSandboxConfiguration.mapillaryItems(count: 12))
        defer { h.close() }
        let progress = try await CampaignProgress.read {
            CampaignProgress(
                queue: "/srv/campaign.sqlite", pending: 2, waiting: 1, running: 1, done: 2, failed: 1,
                doneImages: 150, doneBytes: 150_000, uploaded: 1, verified: 1)
        }
        #expect(progress.total == 6)
        let snapshot = try await h.collector().collect()
        let report = StatsReport(items: snapshot.items, fetchedAt: snapshot.fetchedAt, campaignQueue: progress)
        let lines = report.table().split(separator: "\n").map(String.init)
        #expect(lines.contains("campaign queue /srv/campaign.sqlite:"))
        #expect(
            lines.contains {
                $0.hasPrefix("done in the queue") && $0.hasSuffix(" 150  150.00 KB  1 uploaded, 1 verified")
            },
            "\(lines)")
        #expect(
            lines.contains { $0.hasPrefix("on IA, both tools") && $0.contains(ByteFormat.grouped(report.total.images)) }
        )
        #expect(lines.contains("jobs: 2 pending (1 waiting to retry), 1 running, 2 done, 1 failed; 6 in all"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let shown = try #require(json["campaign_queue"] as? [String: Any])
        #expect(
            Set(shown.keys) == [
                "queue", "pending", "waiting", "running", "done", "failed", "total", "done_images",
                "done_bytes", "uploaded", "verified",
            ])
        #expect(shown["done_images"] as? Int == 150)
        let plain = StatsReport(items: snapshot.items, fetchedAt: snapshot.fetchedAt)
        let without = try #require(try JSONSerialization.jsonObject(with: Data(plain.json().utf8)) as? [String: Any])
        #expect(without["campaign_queue"] == nil, "no queue, no key")
        #expect(!plain.table().contains("campaign queue"))

        struct Refused: Error {}
        await #expect(throws: Refused.self) { _ = try await CampaignProgress.read { throw Refused() } }
    }

    @Test(arguments: [
        ("Contains 1 image.", 1), ("Contains 1,234 images", 1234), ("nothing here", 0),
        ("Contains many images", 0), ("contains 5 images. Contains 7 images", 7),
    ])
    func descriptionsGiveImageCounts(text: String, expected: Int) {
        let item = ArchivedItem(ScrapedItem(fields: ["identifier": ["x"], "description": [text]]))
        #expect(item?.images == expected)
    }
}
