import Archiver
import Foundation
import SandboxKit
import Testing
import TestSupport

/// The IA check (on by default; `--no-check-ia` turns it off): a user whose item is already on IA is skipped; a dark item does not count.
@Suite struct CheckIATests {
    @Test func anItemAlreadyOnIAIsSkippedADarkOneIsNotAndNoCheckIADownloadsAnyway() async throws {
        let h = try DownloadHarness(users: [.init(name: "alice", imageCount: 6), .init(name: "bob", imageCount: 5)]) {
            var ia = InternetArchiveSandboxConfiguration()
            ia.items = [
                .init(
                    identifier: "mapillary-alice-256-webp", metadata: ["mapillary_archiver": ["0.1.0"]],
                    files: [.init(name: "2020-01-01.tar", md5: "0123456789abcdef0123456789abcdef", size: 10240)]),
                .init(identifier: "mapillary-bob-256-webp", dark: true),
            ]
            $0.internetArchive = ia
        }
        defer { h.close() }
        let endpoints = try #require(h.endpoints)
        var options = h.options(["alice", "bob"])
        options.checkIA = true
        options.endpoints = endpoints
        let report = await h.run(options)

        #expect(report.exitCode == 0)
        #expect(report.users[0].outcome == .skippedOnIA(identifier: "mapillary-alice-256-webp"))
        #expect(report.users[1].outcome == .published(path: h.item("bob", options)))
        #expect(report.table().contains("already on IA: mapillary-alice-256-webp"))
        #expect(
            h.consoleLines.contains {
                $0.contains("alice: mapillary-alice-256-webp is already on the Internet Archive")
                    && $0.contains("--no-check-ia")
            })
        let aliceIDs = Set(h.mapillary.archivableIDs("alice"))
        let cdn = h.mapillary.requestLog().filter { $0.origin == .cdn }
        #expect(
            !cdn.contains { request in aliceIDs.contains { request.path.contains($0) } }, "nothing of alice was fetched"
        )
        #expect(!FileManager.default.fileExists(atPath: h.item("alice", options)))
        let asked = h.sandbox.internetArchive!.requestLog().map(\.path)
        #expect(
            asked.contains("/metadata/mapillary-alice-256-webp") && asked.contains("/metadata/mapillary-bob-256-webp"))

        options.usernames = ["alice"]
        options.checkIA = false
        let again = await h.run(options)
        #expect(again.users[0].outcome == .published(path: h.item("alice", options)))
        #expect(Set(try await TarListing.members(item: h.item("alice", options)).map(\.imageID)) == aliceIDs)
    }
}
