import Foundation
import SandboxKit
import Testing
import TestSupport

@Suite struct ReportTests {
    /// The report's lines as objects, read with Python's json (an independent reader).
    static func lines(_ path: String) throws -> [[String: Any]] {
        let script = "import json, sys\nprint(json.dumps([json.loads(l) for l in open(sys.argv[1]) if l.strip()]))"
        let result = try ExternalTool.run("python3", ["-c", script, path])
        guard result.ok else { throw TarListingError(message: "python3 could not read \(path): \(result.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }

    @Test func theLinesOfFinishedUsersSurviveAKillAndTheNextRunAppendsItsOwn() async throws {
        let h = try CLIHarness(users: [
            .init(name: "small1", imageCount: 3), .init(name: "small2", imageCount: 4),
            .init(name: "big", imageCount: 400),
        ]) { $0.cdnLatency = .milliseconds(100) }
        defer { h.close() }
        let report = h.temp.file("report.jsonl")
        let arguments = [
            "small1", "small2", "big", "--output", h.output, "--quality", "256", "--jobs", "1",
            "--concurrency", "2", "--report", report,
        ]
        // big takes 20 s at least (400 images, 100 ms each, 2 at a time): time enough to see the two small users'
        // lines and kill the run within big even when a loaded machine leaves this test's polls far apart.
        let first = try h.start(arguments)
        var written: [[String: Any]] = []
        for _ in 0..<600 where written.count < 2 {
            try await Task.sleep(for: .milliseconds(100))
            written = (try? Self.lines(report)) ?? []
        }
        first.kill()
        _ = await first.wait()
        try #require(written.count == 2, "both small users were reported before big finished")

        let killed = try Self.lines(report)
        #expect(killed.map { $0["user"] as? String } == ["small1", "small2"], "nothing of big, nothing torn")
        let line = killed[0]
        #expect(line["outcome"] as? String == "published")
        #expect(line["identifier"] as? String == "mapillary-small1-256-webp")
        #expect(line["path"] as? String == h.item("small1"))
        #expect((line["images"] as? [String: Any])?["downloaded"] as? Int == 3)
        #expect((line["bytes"] as? Int ?? 0) > 0)
        let seconds = line["seconds"] as? [String: Any]
        #expect((seconds?["total"] as? Double ?? 0) > 0 && seconds?["package"] != nil && seconds?["download"] != nil)
        #expect(line["error"] is NSNull && line["upload"] is NSNull)
        #expect(
            (line["finished_at"] as? String)?.range(
                of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"#, options: .regularExpression) != nil)

        let again = try await h.run(arguments)
        #expect(again.status == 0, "\(again.transcript)")
        let all = try Self.lines(report)
        #expect(
            all.map { $0["user"] as? String } == ["small1", "small2", "small1", "small2", "big"], "appended, in order")
        #expect(all.suffix(3).map { $0["outcome"] as? String } == ["up_to_date", "up_to_date", "published"])
    }

    @Test func aReportFileThatCannotBeWrittenStopsTheCommandBeforeAnyRequest() async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 3)])
        defer { h.close() }
        let result = try await h.download(["alice", "--report", h.temp.file("missing/folder/report.jsonl")])
        #expect(result.status == 2, "\(result.transcript)")
        #expect(
            result.stderr.contains(
                "the report file \(h.temp.file("missing/folder/report.jsonl")) cannot be written (No such file or directory); give a --report path in a writable folder"
            ))
        #expect(h.mapillary.counters.apiRequests == 0 && h.ia.requestLog().isEmpty, "no work started")
    }
}
