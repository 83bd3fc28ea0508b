import Foundation
import InternetArchive
import Sandbox
import Testing
import TestSupport

@Suite struct StatsTests {
    /// 250 items: every 3rd made by this tool, the rest by the Python tool, in two collections, plus noise.
    static func items() -> [InternetArchiveSandboxConfiguration.Item] {
        var items: [InternetArchiveSandboxConfiguration.Item] = []
        for i in 0..<250 {
            let user = "user\(i % 40)"
            let ours = i % 3 == 0
            var metadata: [String: [String]] = [
                "collection": [i % 5 == 0 ? "opensource" : "mapillary-images"],
                "description": ["Street-level imagery.\n\nContains \(i == 7 ? "1,234" : String(i + 1)) images."],
                "creator": [user],
            ]
            metadata[ours ? "mapillary_archiver" : "mapillary_downloader"] = [ours ? "0.1.0" : "0.12.0"]
            items.append(.init(identifier: "mapillary-\(user)-\(ours ? "2048" : "original")-\(i)", metadata: metadata,
                               itemSize: Int64(1000 + i)))
        }
        items.append(.init(identifier: "unrelated-item", metadata: ["title": ["nothing"]], itemSize: 5))
        return items
    }

    @Test func statsPageThroughScrapeResultsAndCountBothTools() async throws {
        let h = try IAHarness { $0.items = Self.items() }
        defer { h.close() }
        let cache = h.temp.file("cache/stats.json")
        let collector = StatsCollector(http: h.http, endpoints: h.endpoints, cachePath: cache, pageSize: 100)
        let report = try await collector.collect()

        let scrapes = h.ia.requestLog().filter { $0.path == "/services/search/v1/scrape" }
        #expect(scrapes.count == 3)
        #expect(scrapes.map { $0.queryValue("cursor") != nil } == [false, true, true])
        #expect(scrapes[0].queryValue("q") == "mapillary_archiver:* OR mapillary_downloader:*")
        #expect(report.total.items == 250)
        #expect(report.total.archiverItems == 84)
        #expect(report.total.downloaderItems == 166)
        let images = (0..<250).reduce(0) { $0 + ($1 == 7 ? 1234 : $1 + 1) }
        #expect(report.total.images == images)
        #expect(report.total.bytes == Int64((0..<250).reduce(0) { $0 + 1000 + $1 }))
        #expect(report.total.users.count == 40)
        #expect(report.collections.map(\.name) == ["mapillary-images", "opensource"])
        #expect(report.collections[1].items == 50)
        #expect(!report.fromCache)

        // Cached: no request; refresh: asks again.
        h.ia.clearRequestLog()
        let cached = try await collector.collect()
        #expect(cached.fromCache)
        #expect(cached.total == report.total)
        #expect(h.ia.requestLog().isEmpty)
        let fresh = try await collector.collect(refresh: true)
        #expect(!fresh.fromCache)
        #expect(h.ia.requestLog().count == 3)
        let stale = try await collector.collect(now: Date().addingTimeInterval(7200))
        #expect(!stale.fromCache)
    }

    @Test func reportsRenderAsJSONForScriptsAndAsATable() async throws {
        let h = try IAHarness { $0.items = Array(Self.items().prefix(120)) }
        defer { h.close() }
        let report = try await StatsCollector(http: h.http, endpoints: h.endpoints, pageSize: 100).collect()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let total = try #require(json["total"] as? [String: Any])
        #expect(total["items"] as? Int == 120)
        #expect(total["archiver_items"] as? Int == 40)
        #expect(json["fetched_at"] is Int)
        let table = report.table()
        #expect(table.contains("mapillary-images"))
        #expect(table.split(separator: "\n").contains { $0.hasPrefix("total") && $0.contains("120") })
    }

    @Test func unreachableIAFallsBackToTheCacheWhateverItsAge() async throws {
        let h = try IAHarness { $0.items = Array(Self.items().prefix(10)) }
        defer { h.close() }
        let cache = h.temp.file("stats.json")
        let first = try await StatsCollector(http: h.http, endpoints: h.endpoints, cachePath: cache).collect()
        h.ia.setFaultRate(1)
        let collector = StatsCollector(http: h.http, endpoints: h.endpoints, cachePath: cache, maxAge: .zero,
                                       retry: .none)
        let report = try await collector.collect(now: Date().addingTimeInterval(86_400))
        #expect(report.fromCache)
        #expect(report.total == first.total)
        await #expect(throws: InternetArchiveError.self) {
            _ = try await StatsCollector(http: h.http, endpoints: h.endpoints, retry: .none).collect()
        }
    }

    @Test func descriptionsGiveImageCounts() {
        let cases: [(String, Int)] = [("Contains 1 image.", 1), ("Contains 1,234 images", 1234),
                                      ("nothing here", 0), ("Contains many images", 0)]
        for (text, expected) in cases {
            let items = [ScrapedItem(fields: ["identifier": ["x-\(expected)"], "description": [text],
                                              "mapillary_archiver": ["1"]])]
            #expect(StatsCollector.tally(items, fetchedAt: 0).total.images == expected, "\(text)")
        }
    }
}
