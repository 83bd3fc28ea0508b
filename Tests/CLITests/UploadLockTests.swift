import Foundation
import SandboxKit
import Testing
import TestSupport

/// Two `upload` processes on one item: one uploads, the other is refused at once, and IA gets every byte once.
@Suite struct UploadLockTests {
    @Test func twoUploadsOfOneItemSendEachFileAndPartOnce() async throws {
        // Each IA answer takes a while, so the two processes surely overlap.
        let h = try CLIHarness(users: []) { $0.internetArchive?.latency = .milliseconds(60) }
        defer { h.close() }
        let item = try makeItem(
            h, "lock-test-item",
            files: [
                "a.txt": Array(repeating: 97, count: 1000), "b.txt": Array(repeating: 98, count: 2000),
                "c.txt": Array(repeating: 99, count: 3000),
                "big.tar": (0..<(11 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) },
            ])
        let arguments = ["upload", item, "--multipart-threshold", "5", "--part-size", "5", "--verify-timeout", "60"]
        let first = try h.start(arguments)
        let second = try h.start(arguments)
        let results = [await first.wait(timeout: .seconds(120)), await second.wait(timeout: .seconds(120))]

        let uploaded = try #require(results.first { $0.status == 0 }, "\(results.map(\.transcript))")
        #expect(uploaded.stdout.contains("uploaded and verified"), "\(uploaded.transcript)")
        let refused = results.first { $0.status != 0 }
        #expect(refused?.status == 1, "one of the two is refused: \(results.map(\.transcript))")
        #expect(
            refused?.stdout.contains("failed: another mapillary-archiver process (pid ") == true
                && refused?.stdout.contains(
                    "is already uploading \(item) (or working on it); this upload did not start") == true,
            "\(refused?.transcript ?? "")")

        var sent: [String: Int] = [:]
        for request in h.ia.requestLog()
        where request.host == .s3 && (request.method == "PUT" || request.method == "POST") {
            let part = request.queryValue("partNumber").map { "#" + $0 } ?? ""
            let step =
                request.query.contains { $0.name == "uploads" }
                ? " initiate"
                : request.method == "POST" ? " complete" : ""
            sent[request.path + part + step, default: 0] += 1
        }
        let twice = sent.filter { $0.value > 1 }
        #expect(twice.isEmpty, "sent more than once: \(twice)")
        let base = "/lock-test-item/"
        let expected = Set(
            ["a.txt", "b.txt", "c.txt"].map { base + $0 }
                + ["#1", "#2", "#3", " initiate", " complete"].map { base + "big.tar" + $0 })
        #expect(Set(sent.keys) == expected, "\(sent.keys.sorted())")
    }

    /// Needs root (to mount a tmpfs and make it read-only); skipped elsewhere.
    @Test(.enabled(if: getuid() == 0)) func anUploadOfAnItemOnAReadOnlyDiskNamesTheCause() async throws {
        let h = try CLIHarness(users: [])
        defer { h.close() }
        let disk = try SmallDisk(at: h.temp.file("ro"), kilobytes: 1024)
        defer { disk.unmount() }
        // As `download` publishes it: with its private folder (the download state) already there.
        let item = try makeItem(h, "readonly-item", files: ["a.txt": Array("hello".utf8)], under: "ro")
        try FileManager.default.createDirectory(
            atPath: item + "/.mapillary-archiver", withIntermediateDirectories: true)
        try disk.makeReadOnly()
        let result = try await h.run(["upload", item])
        #expect(result.status == 1, "\(result.transcript)")
        #expect(
            result.stdout.contains(
                "failed: cannot keep the upload journal in \(item)/.mapillary-archiver (could not open \(item)/.mapillary-archiver/lock: Read-only file system)"
            ),
            "\(result.transcript)")
        #expect(!result.stdout.contains("unable to open database file"), "\(result.transcript)")
        #expect(h.ia.requestLog().filter { $0.host == .s3 }.isEmpty, "nothing was sent")
    }

    /// Writes an item folder with `files` and a small `.meta`.
    private func makeItem(
        _ h: CLIHarness, _ identifier: String, files: [String: [UInt8]], under: String = "items"
    ) throws -> String {
        let item = h.temp.file(under + "/" + identifier)
        let fm = FileManager.default
        try fm.createDirectory(atPath: item + "/.meta/title", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: item + "/.meta/mediatype", withIntermediateDirectories: true)
        try Data("Lock test".utf8).write(to: URL(fileURLWithPath: item + "/.meta/title/0"))
        try Data("data".utf8).write(to: URL(fileURLWithPath: item + "/.meta/mediatype/0"))
        for (name, bytes) in files { try Data(bytes).write(to: URL(fileURLWithPath: item + "/" + name)) }
        return item
    }
}
