import Essentials
import Foundation
import InternetArchive
import SandboxKit
import Testing
import TestSupport

@Suite struct ResumeTests {
    /// Starts an upload and cancels it once `bytes` of the item went through.
    func uploadCancelled(
        _ h: IAHarness, item: String, after bytes: Int64,
        options: UploadOptions = fastOptions()
    ) async throws -> InternetArchiveError {
        let canceller = TaskCanceller()
        let uploader = h.uploader { progress in
            if progress.itemBytesSent >= bytes { canceller.cancel() }
        }
        let task = Task { try await uploader.upload(itemPath: item, options: options) }
        canceller.set(task)
        do {
            _ = try await task.value
            Issue.record("the upload finished although it was cancelled")
            throw CancellationError()
        } catch let error as InternetArchiveError {
            #expect(canceller.didCancel)
            return error
        }
    }

    @Test func aKilledMultipartUploadResumesWithTheMissingPartsOnly() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let partSize = 32 << 10
        let bytes = pattern(10 * partSize + 1234, seed: 5)
        let item = try h.makeItem("resume-multipart", files: ["big.tar": bytes], meta: [("title", ["R"])])

        let error = try await uploadCancelled(h, item: item, after: Int64(4 * partSize + partSize / 2))
        #expect(error.code == .cancelled)
        #expect(h.ia.pendingUploads(identifier: "resume-multipart") == 1)
        #expect(h.ia.item("resume-multipart")?.files["big.tar"] == nil)

        let report = try await h.uploader().upload(itemPath: item, options: fastOptions())
        #expect(report.uploaded == ["big.tar"])
        #expect(report.verification?.isComplete == true)
        #expect(h.ia.item("resume-multipart")?.files["big.tar"]?.md5 == MD5.hex(of: bytes))
        #expect(h.ia.pendingUploads(identifier: "resume-multipart") == 0)
        let received = h.ia.bytesReceived(identifier: "resume-multipart", key: "big.tar")
        #expect(received >= Int64(bytes.count))
        #expect(
            received <= Int64(bytes.count + partSize), "re-sent more than one part: \(received - Int64(bytes.count))")
        let initiates = h.ia.requestLog().filter { $0.method == "POST" && $0.query.contains { $0.name == "uploads" } }
        #expect(initiates.count == 1)
        let listParts = h.ia.requestLog().filter { $0.method == "GET" && $0.queryValue("uploadId") != nil }
        #expect(listParts.count == 1)
    }

    @Test func aFileChangedSinceItsMultipartUploadStartedIsAbortedAndStartedOver() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let partSize = 32 << 10
        let item = try h.makeItem("changed-multipart", files: ["big.tar": pattern(6 * partSize, seed: 6)])
        _ = try await uploadCancelled(h, item: item, after: Int64(2 * partSize + 10))
        let changed = pattern(5 * partSize + 7, seed: 60)
        try Data(changed).write(to: URL(fileURLWithPath: item + "/big.tar"))

        let report = try await h.uploader().upload(itemPath: item, options: fastOptions())
        #expect(report.verification?.isComplete == true)
        #expect(h.ia.item("changed-multipart")?.files["big.tar"]?.md5 == MD5.hex(of: changed))
        let aborts = h.ia.requestLog().filter { $0.method == "DELETE" && $0.queryValue("uploadId") != nil }
        #expect(aborts.count == 1)
        #expect(aborts.first?.status == 204)
        #expect(h.ia.pendingUploads(identifier: "changed-multipart") == 0)
    }

    @Test func aSecondRunSkipsEveryFileIAListsAndSendsNoBody() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let item = try h.makeItem(
            "journal-item", files: ["a": pattern(100), "b": pattern(150_000), "c/d": pattern(9)],
            meta: [("title", ["J"])])
        let first = try await h.uploader().upload(itemPath: item, options: fastOptions())
        #expect(first.uploaded.count == 3)
        let before = h.ia.totalBytesReceived
        h.ia.clearRequestLog()

        let second = try await h.uploader().upload(itemPath: item, options: fastOptions())
        #expect(second.uploaded.isEmpty)
        #expect(second.alreadyOnIA == ["a", "b", "c/d"])
        #expect(second.skippedFromJournal.isEmpty)
        #expect(h.ia.totalBytesReceived == before)
        #expect(!h.ia.requestLog().contains { $0.host == .s3 })
        #expect(second.verification?.isComplete == true)
    }

    @Test func filesIAAlreadyHoldsWithTheSameMD5AreNotSent() async throws {
        let same = pattern(4_000, seed: 30), changedLocal = pattern(4_000, seed: 31)
        let h = try IAHarness { ia in
            ia.items = [
                .init(
                    identifier: "remote-match", metadata: ["title": ["R"]],
                    files: [
                        .init(name: "same.bin", contents: same),
                        .init(name: "changed.bin", contents: pattern(4_000, seed: 32)),
                    ],
                    owner: IAHarness.account.accessKey)
            ]
        }
        defer { h.close() }
        let item = try h.makeItem(
            "remote-match",
            files: [
                "same.bin": same, "changed.bin": changedLocal,
                "new.bin": pattern(10, seed: 33),
            ])
        let report = try await h.uploader().upload(itemPath: item, options: fastOptions())
        #expect(report.alreadyOnIA == ["same.bin"])
        #expect(report.uploaded == ["changed.bin", "new.bin"])
        #expect(h.ia.bytesReceived(identifier: "remote-match", key: "same.bin") == 0)
        #expect(h.ia.item("remote-match")?.files["changed.bin"]?.md5 == MD5.hex(of: changedLocal))
        #expect(report.verification?.isComplete == true)
        // A second run finds all three on IA and asks nothing of IAS3.
        h.ia.clearRequestLog()
        let again = try await h.uploader().upload(itemPath: item, options: fastOptions())
        #expect(again.alreadyOnIA.count == 3)
        #expect(!h.ia.requestLog().contains { $0.host == .s3 })
    }

    @Test func filesNotYetIngestedArePendingNotAnErrorAndVerifyRemoteSeesThemLater() async throws {
        // Far longer than any run, however loaded the machine: both files are still pending when the upload's short
        // verification gives up (15 s was not always enough); the test then ends the ingest itself.
        let h = try IAHarness { $0.ingestDelay = .seconds(3600) }
        defer { h.close() }
        let item = try h.makeItem("slow-ingest", files: ["a": pattern(10), "b": pattern(20)])
        var options = fastOptions()
        options.verifyTimeout = .milliseconds(200)
        let report = try await h.uploader().upload(itemPath: item, options: options)
        #expect(report.uploaded == ["a", "b"])
        #expect(report.notYetVisible == 2)
        #expect(report.verification?.pending == ["a", "b"])

        // IA finishes its ingest while verify --remote is waiting.
        let ingest = Task {
            try await Task.sleep(for: .milliseconds(300))
            h.ia.finishIngest(of: "slow-ingest")
        }
        let later = try await h.uploader().verifyRemote(itemPath: item, timeout: .seconds(60))
        try await ingest.value
        #expect(later.isComplete)
        #expect(later.verified == ["a", "b"])
    }

    @Test func verifyRemoteReportsMissingAndMismatchedFiles() async throws {
        let h = try IAHarness { ia in
            ia.items = [
                .init(
                    identifier: "verify-item",
                    files: [
                        .init(name: "a", contents: pattern(10)),
                        .init(name: "b", contents: pattern(11)),
                    ])
            ]
        }
        defer { h.close() }
        let item = try h.makeItem("verify-item", files: ["a": pattern(10), "b": pattern(12), "c": pattern(13)])
        let result = try await h.uploader().verifyRemote(itemPath: item)
        #expect(result.verified == ["a"])
        #expect(result.mismatched.map(\.key) == ["b"])
        #expect(result.pending == ["c"])
        #expect(!result.isComplete)
        #expect(h.ia.requestLog().allSatisfy { $0.host == .archive })
    }
}
