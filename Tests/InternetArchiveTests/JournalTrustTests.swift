import Essentials
import Foundation
import InternetArchive
import SandboxKit
import Testing
import TestSupport

/// IA's own view outranks the upload journal: what IA lacks or holds with another MD5 is sent again, except while
/// IA may still be ingesting it; without IA's view the journal is trusted, and `resend` sets it aside.
@Suite struct JournalTrustTests {
    static let files = [
        "a.bin": pattern(100, seed: 40), "big.tar": pattern(150_000, seed: 41),
        "c/d.txt": pattern(9, seed: 42),
    ]
    static let keys = ["a.bin", "big.tar", "c/d.txt"]

    /// Options for a run whose verification gives up after `verify`.
    func shortVerify(grace: Duration, verify: Duration = .milliseconds(300)) -> UploadOptions {
        var options = fastOptions()
        options.verifyTimeout = verify
        options.ingestGrace = grace
        return options
    }

    /// Uploads `Self.files` as `identifier`, checks it verified, then restarts IA empty on the same URLs.
    func uploadThenLoseIt(_ h: IAHarness, _ identifier: String) async throws -> String {
        let item = try h.makeItem(identifier, files: Self.files, meta: [("title", ["T"])])
        let first = try await h.uploader().upload(itemPath: item, options: fastOptions())
        #expect(first.verification?.isComplete == true)
        let s3 = h.ia.s3URL
        try h.restartEmpty()
        #expect(h.ia.s3URL == s3, "the restarted IA serves the same URL, so the journal's entries count for it")
        #expect(h.ia.item(identifier) == nil)
        return item
    }

    func md5(_ key: String) -> String { MD5.hex(of: Self.files[key]!) }

    @Test func anItemIALostIsSentAgainInFullOnlyOnceItsJournalIsOlderThanTheIngestGrace() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let item = try await uploadThenLoseIt(h, "lost-item")

        // Within the grace period IA may still be ingesting: nothing is sent, and the user is told the way out. The
        // verification waits long enough for several polls however loaded the machine is.
        let early = try await h.uploader().upload(
            itemPath: item, options: shortVerify(grace: .seconds(3600), verify: .seconds(5)))
        #expect(early.uploaded.isEmpty)
        #expect(early.skippedFromJournal == Self.keys)
        #expect(h.bodyRequests().isEmpty)
        #expect(
            early.warnings.contains {
                $0.contains("IA does not list 3 files of lost-item yet")
                    && $0.contains("`upload --resend` sends them now")
            },
            "\(early.warnings)")
        let verification = try #require(early.verification)
        #expect(verification.pending == Self.keys)
        #expect(verification.recentlyUploaded == Self.keys)
        #expect(verification.nextStep(item: item).contains("`mapillary-archiver upload --resend \(item)`"))
        #expect(
            h.logs.lines.withLock { $0 }.contains {
                $0.contains("lost-item: waiting up to")
                    && $0.contains("for IA to list 3 files it does not list yet (a.bin, big.tar, c/d.txt)")
            },
            "the wait says what it waits for")

        // Once the journal's entries are older than the grace period, every file goes up again.
        try await Task.sleep(for: .seconds(2))
        let late = try await h.uploader().upload(itemPath: item, options: shortVerify(grace: .seconds(1)))
        #expect(late.uploaded == Self.keys)
        #expect(
            late.warnings.contains {
                $0.contains(
                    "IA does not list 3 files of lost-item that the journal records as uploaded more than 1s ago")
            },
            "\(late.warnings)")
        let stored = try #require(h.ia.item("lost-item"))
        for key in Self.keys { #expect(stored.files[key]?.md5 == md5(key)) }
        #expect(late.verification?.isComplete == true)
    }

    @Test func aFileAnotherUploadReplacedOnIAIsSentAgainAndVerified() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let item = try h.makeItem("replaced", files: Self.files)
        _ = try await h.uploader().upload(itemPath: item, options: fastOptions())
        let other = pattern(100, seed: 99)
        try h.ia.overwrite(identifier: "replaced", name: "a.bin", contents: other)

        // verify --remote sees the difference and names the command that repairs it.
        let check = try await h.uploader().verifyRemote(itemPath: item)
        #expect(
            check.mismatched.map { [$0.key, $0.localMD5, $0.remoteMD5] } == [
                ["a.bin", md5("a.bin"), MD5.hex(of: other)]
            ])
        #expect(
            check.nextStep(item: item)
                == "`mapillary-archiver upload \(item)` sends the 1 files IA lacks or holds with another MD5 again")

        h.ia.clearRequestLog()
        let report = try await h.uploader().upload(itemPath: item, options: fastOptions())
        #expect(report.uploaded == ["a.bin"])
        #expect(report.alreadyOnIA == ["big.tar", "c/d.txt"])
        #expect(h.bodyRequests().map(\.path) == ["/replaced/a.bin"])
        let warning =
            "the journal records a.bin of replaced as uploaded with MD5 \(md5("a.bin")), but IA lists it with MD5 \(MD5.hex(of: other))"
        #expect(
            h.logs.lines.withLock { $0 }.contains { $0.hasPrefix("warning " + warning) },
            "logged at WARN with both MD5s")
        #expect(report.verification?.isComplete == true)
        #expect(h.ia.item("replaced")?.files["a.bin"]?.md5 == md5("a.bin"))
    }

    @Test func whenTheMetadataAPICannotBeReadTheJournalIsTrustedAndTheUploadSaysSo() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let item = try await uploadThenLoseIt(h, "api-down")
        h.ia.setMetadataAPIFailing(true)

        // Even with no grace at all, a journal IA cannot contradict is believed.
        let trusted = try await h.uploader().upload(itemPath: item, options: shortVerify(grace: .zero))
        #expect(trusted.uploaded.isEmpty)
        #expect(trusted.skippedFromJournal == Self.keys)
        #expect(h.bodyRequests().isEmpty)
        #expect(
            trusted.warnings.contains {
                $0.hasPrefix(
                    "IA's metadata API could not say which files api-down already holds (archive.org answered HTTP 503")
                    && $0.hasSuffix(
                        "the journal is trusted: the files it records as uploaded are skipped unchecked, every other file is uploaded"
                    )
            },
            "\(trusted.warnings)")
        #expect(trusted.verification?.unreachable == true)
        #expect(trusted.verification?.nextStep(item: item) == "run `mapillary-archiver verify --remote \(item)` later")

        // The same run with IA readable again sends what it lacks.
        h.ia.setMetadataAPIFailing(false)
        let sent = try await h.uploader().upload(itemPath: item, options: shortVerify(grace: .zero))
        #expect(sent.uploaded == Self.keys)
    }

    @Test func resendSetsTheJournalAsideButNotIAsOwnMD5s() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let item = try await uploadThenLoseIt(h, "resend-item")
        var options = fastOptions()
        options.resend = true
        let report = try await h.uploader().upload(itemPath: item, options: options)
        #expect(report.uploaded == Self.keys)
        #expect(report.skippedFromJournal.isEmpty)
        #expect(report.verification?.isComplete == true)

        // Files IA lists with the local MD5 are still not sent.
        h.ia.clearRequestLog()
        let again = try await h.uploader().upload(itemPath: item, options: options)
        #expect(again.uploaded.isEmpty)
        #expect(again.alreadyOnIA == Self.keys)
        #expect(h.bodyRequests().isEmpty)
    }
}
