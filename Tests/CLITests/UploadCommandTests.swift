import Foundation
import Testing
import TestSupport

/// `upload` and `verify --remote` as a user types them when IA lost an item the journal records as uploaded.
@Suite(.timeLimit(.minutes(3)))
struct UploadCommandTests {
    /// An item folder `lost-item` with three files and a title.
    func makeItem(_ h: CLIHarness) throws -> String {
        let item = h.temp.file("items/lost-item")
        try FileManager.default.createDirectory(atPath: item + "/.meta/title", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: item + "/2020-01-01", withIntermediateDirectories: true)
        try Data("Lost".utf8).write(to: URL(fileURLWithPath: item + "/.meta/title/0"))
        for (name, size) in [("notes.txt", 10), ("data.bin", 5000), ("2020-01-01/photo.jpg", 300)] {
            try Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(
                to: URL(fileURLWithPath: item + "/" + name))
        }
        return item
    }

    @Test func afterIALostAnItemUploadAndVerifyNameTheWayOutAndResendOrAZeroGraceSendItAgain() async throws {
        let h = try CLIHarness(users: [])
        defer { h.close() }
        let item = try makeItem(h)
        let first = try await h.run(["upload", item])
        #expect(first.stdout.contains("\(item): uploaded and verified (3 files sent"), "\(first.transcript)")

        try h.restartEmpty()
        let skipped = try await h.run(["upload", item, "--verify-timeout", "3"])
        #expect(skipped.status == 0, "\(skipped.transcript)")
        #expect(
            skipped.stdout.contains(
                "\(item): uploaded (0 files sent, 0 B, 3 sent earlier (journal)); 3 files not yet visible on IA"),
            "\(skipped.transcript)")
        #expect(
            skipped.stderr.contains(
                "IA does not list 3 files of lost-item yet that the journal records as uploaded less than 6h 0m ago"),
            "\(skipped.transcript)")
        #expect(
            skipped.stderr.contains(
                "waiting up to 3 s for IA to list 3 files it does not list yet (2020-01-01/photo.jpg, data.bin, notes.txt)"
            ), "\(skipped.transcript)")
        #expect(
            skipped.stderr.contains("send them again now with `mapillary-archiver upload --resend \(item)`"),
            "\(skipped.transcript)")

        let verify = try await h.run(["verify", "--remote", item])
        #expect(verify.status == 1, "\(verify.transcript)")
        #expect(
            verify.stdout.contains("\(item): the Internet Archive has no item lost-item (or it is dark)"),
            "\(verify.transcript)")
        #expect(
            verify.stdout.contains("\(item): to fix: 3 files were uploaded less than 6h 0m ago"), "\(verify.transcript)"
        )
        #expect(verify.stdout.contains("`mapillary-archiver upload --resend \(item)`"), "\(verify.transcript)")

        let resent = try await h.run(["upload", "--resend", item])
        #expect(resent.stdout.contains("\(item): uploaded and verified (3 files sent"), "\(resent.transcript)")
        let again = try await h.run(["verify", "--remote", item])
        #expect(again.status == 0, "\(again.transcript)")

        // Without --resend, a grace period of 0 s sends whatever IA lacks at once.
        try h.restartEmpty()
        let graceless = try await h.run(["upload", "--ingest-grace", "0", item])
        #expect(graceless.stdout.contains("\(item): uploaded and verified (3 files sent"), "\(graceless.transcript)")
        #expect(
            graceless.stderr.contains(
                "IA does not list 3 files of lost-item that the journal records as uploaded more than 0s ago"),
            "\(graceless.transcript)")
    }

    @Test func aDryRunPrintsEachItemsRequestsBeforeTheSummaryAndSendsNothing() async throws {
        let h = try CLIHarness(users: [])
        defer { h.close() }
        let item = try makeItem(h)
        let result = try await h.run(["upload", "--dry-run", item])
        #expect(result.status == 0, "\(result.transcript)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let puts = lines.filter { $0.hasPrefix("PUT \(h.ia.s3URL)/lost-item/") }
        #expect(puts.count == 3, "one request per file: \(result.transcript)")
        #expect(
            lines.last?.hasPrefix("\(item): dry run: ") == true && lines.last?.hasSuffix(" requests printed") == true,
            "the summary comes after the requests: \(result.transcript)")
        #expect(h.ia.requestLog().isEmpty, "a dry run sends nothing")
    }

    @Test func downloadWithUploadTakesTheIngestGraceToo() async throws {
        let h = try CLIHarness(users: [])
        defer { h.close() }
        let help = try await h.run(["download", "--help"])
        #expect(help.stdout.contains("--ingest-grace <seconds>"), "\(help.transcript)")
    }
}
