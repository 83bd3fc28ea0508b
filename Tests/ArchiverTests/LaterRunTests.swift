import Archiver
import Foundation
import SandboxKit
import Testing
import TestSupport

/// A later run for a published item: new images go into addendum tars; published tars are never rewritten.
@Suite struct LaterRunTests {
    @Test func newImagesGoIntoAddendaAndPublishedTarsStayByteIdentical() async throws {
        let h = try DownloadHarness(users: [.init(name: "alice", imageCount: 30)], seed: 7)
        defer { h.close() }
        let first = h.options(["alice"])
        let item = h.item("alice", first)
        #expect(await h.run(first).users.first?.outcome == .published(path: item))
        let before = try await TarListing.sha256(item: item)
        let firstTars = Set(before.keys.filter { $0.hasSuffix(".tar") })
        let firstLogs = before.keys.filter { $0.hasPrefix("download.log.") }

        // The same contributor a while later: the same seed gives the same first 30 images, plus 15 new ones.
        let sandbox = try h.fixture.later(user: "alice", imageCount: 45, seed: 7)
        defer { sandbox.stop() }
        let images = sandbox.mapillary.expectedImages(user: "alice")
        #expect(Array(images.prefix(30).map(\.id)) == h.mapillary.expectedImages(user: "alice").map(\.id))
        var second = first
        second.apiURL = sandbox.apiURL
        let report = await h.run(second)
        #expect(report.users.first?.outcome == .published(path: item), "\(report.table())")
        #expect(report.users.first?.downloaded == 15)

        let after = try await TarListing.sha256(item: item)
        for tar in firstTars {
            #expect(after[tar] == before[tar], "\(tar) was not rewritten")
        }
        for log in firstLogs { #expect(after[log] == before[log], "the first run's log is kept") }
        #expect(after.keys.filter { $0.hasPrefix("download.log.") }.count == firstLogs.count + 1)
        let members = try await TarListing.members(item: item)
        let newMembers = members.filter { !firstTars.contains($0.tar) }
        let newIDs = Set(images.suffix(15).map(\.id))
        #expect(Set(newMembers.map(\.imageID)) == newIDs, "the new tars hold exactly the new images")
        #expect(members.count == 45 && Set(members.map(\.imageID)).count == 45, "every image once")
        let firstDates = Set(firstTars.map { String($0.dropLast(4)) })
        for tar in Set(newMembers.map(\.tar)) {
            let date = String(tar.prefix { $0 != "." })
            #expect(tar == (firstDates.contains(date) ? date + ".1.tar" : date + ".tar"), "addendum name \(tar)")
        }
        #expect(newMembers.contains { $0.tar == "unknown-date.1.tar" }, "image 44 has no capture time, like image 13")
        #expect(try await h.recordIDs(item) == images.map(\.id))
        #expect(await h.verify(item) == [])

        // Nothing new: the item is up to date and left alone.
        let third = await h.run(second)
        #expect(third.users.first?.outcome == .upToDate(path: item))
        #expect(third.exitCode == 0)
        #expect(third.table().contains("up to date " + item))
        #expect(try await TarListing.sha256(item: item) == after)
        #expect(
            !FileManager.default.fileExists(atPath: h.cache + "/" + second.identifier(for: "alice")),
            "no staging folder is left behind")
        #expect(
            h.consoleLines.contains { $0.contains("alice: no new images since \(item) was made; it is up to date") })
    }

    @Test func aLaterNoTarRunKeepsEveryPublishedLooseImage() async throws {
        let h = try DownloadHarness(users: [.init(name: "alice", imageCount: 30)], seed: 7)
        defer { h.close() }
        var first = h.options(["alice"])
        first.tar = false
        let item = h.item("alice", first)
        #expect(await h.run(first).users.first?.outcome == .published(path: item))
        let before = Self.looseImages(item)
        #expect(before.count == 30)

        let sandbox = try h.fixture.later(user: "alice", imageCount: 45, seed: 7)
        defer { sandbox.stop() }
        var second = first
        second.apiURL = sandbox.apiURL
        let report = await h.run(second)
        #expect(report.users.first?.outcome == .published(path: item), "\(report.table())")
        #expect(report.users.first?.downloaded == 15)

        let after = Self.looseImages(item)
        #expect(Set(after.keys) == Set(sandbox.mapillary.expectedImages(user: "alice").map(\.id)), "all 45 images")
        for (id, path) in before {
            #expect(after[id] == path, "image \(id) kept at \(path)")
        }
        let firstDates = Set(before.values.map { $0.prefix { $0 != "/" } })
        let newDates = after.filter { before[$0.key] == nil }.map { $0.value.prefix { $0 != "/" } }
        #expect(
            newDates.contains { firstDates.contains($0) }, "some new images share a date folder with published ones")
    }

    /// Image id → path relative to the item, for every loose image file.
    static func looseImages(_ item: String) -> [String: String] {
        var result: [String: String] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: item) ?? .init()
        where !path.hasPrefix(".") && (path.hasSuffix(".webp") || path.hasSuffix(".jpg")) && path.contains("/") {
            let name = (path as NSString).lastPathComponent
            result[String(name.prefix { $0 != "." })] = path
        }
        return result
    }
}
