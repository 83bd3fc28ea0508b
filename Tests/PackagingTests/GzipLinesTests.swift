import Foundation
import Packaging
import Testing
import TestSupport

struct GzipLinesTests {
    private let records: [[UInt8]] = [
        Array(#"{"id":"1","captured_at":1705312800000,"creator":{"username":"Zoë"}}"#.utf8),
        Array(#"{"id":"2","sequence":"abc"}"#.utf8),
        [],
        Array(String(repeating: "x", count: 300_000).utf8),
    ]

    private func write(_ records: [[UInt8]], to path: String) throws -> FileSummary {
        let writer = try GzipLineWriter(path: path)
        for record in records { try writer.append(line: record) }
        return try writer.finish()
    }

    @Test func sameRecordsGiveTheSameBytesAndStandardToolsReadThem() throws {
        let dir = try TemporaryDirectory("gz")
        defer { dir.remove() }
        let a = try write(records, to: dir.file("a.jsonl.gz"))
        let b = try write(records, to: dir.file("b.jsonl.gz"))
        #expect(a == b)
        #expect(try Files.read(dir.file("a.jsonl.gz")) == (try Files.read(dir.file("b.jsonl.gz"))))
        #expect(a.md5 == (try TarListing.md5sum(dir.file("a.jsonl.gz"))))
        #expect(try ExternalTool.run("gzip", ["-t", dir.file("a.jsonl.gz")]).ok)
        let header = try Files.read(dir.file("a.jsonl.gz")).prefix(10)
        #expect(Array(header) == [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255])  // mtime 0, no name
        let python = try ExternalTool.run(
            "python3",
            [
                "-c",
                """
                import gzip, hashlib, sys
                data = gzip.open(sys.argv[1]).read()
                print(hashlib.md5(data).hexdigest(), data.count(b"\\n"))
                """, dir.file("a.jsonl.gz"),
            ])
        let expected: [UInt8] = records.flatMap { $0 + [UInt8(10)] }
        #expect(python.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(MD5Hex.of(expected)) 4")
    }

    @Test func theReaderReturnsTheRecordsAsWritten() throws {
        let dir = try TemporaryDirectory("gz")
        defer { dir.remove() }
        _ = try write(records, to: dir.file("m.jsonl.gz"))
        var lines: [[UInt8]] = []
        try GzipLineReader.forEachLine(path: dir.file("m.jsonl.gz")) { lines.append($0) }
        #expect(lines == records)
    }

    @Test func theReaderReadsPythonGzipWithConcatenatedMembersAndNoFinalNewline() throws {
        let dir = try TemporaryDirectory("gz")
        defer { dir.remove() }
        let path = dir.file("p.jsonl.gz")
        let made = try ExternalTool.run(
            "python3",
            [
                "-c",
                """
                import gzip, sys
                with open(sys.argv[1], "wb") as f:
                    f.write(gzip.compress(b'{"id":"1"}\\n{"id":"2"}\\n'))
                    f.write(gzip.compress(b'{"__complete__": true}'))
                """, path,
            ])
        #expect(made.ok)
        var lines: [String] = []
        try GzipLineReader.forEachLine(path: path) { lines.append(String(decoding: $0, as: UTF8.self)) }
        #expect(lines == [#"{"id":"1"}"#, #"{"id":"2"}"#, #"{"__complete__": true}"#])
    }

    @Test func aTruncatedOrForeignFileIsAnErrorNamingIt() throws {
        let dir = try TemporaryDirectory("gz")
        defer { dir.remove() }
        _ = try write(records, to: dir.file("t.jsonl.gz"))
        let bytes = try Files.read(dir.file("t.jsonl.gz"))
        try Files.write(dir.file("t.jsonl.gz"), Array(bytes.prefix(bytes.count / 2)))
        try Files.write(dir.file("plain.jsonl.gz"), #"{"id":"1"}"#)
        for name in ["t.jsonl.gz", "plain.jsonl.gz"] {
            let error = #expect(throws: PackagingError.self) {
                try GzipLineReader.forEachLine(path: dir.file(name)) { _ in }
            }
            #expect(error?.description.contains(name) == true)
        }
    }

    @Test func aRecordWithALineBreakIsRefused() throws {
        let dir = try TemporaryDirectory("gz")
        defer { dir.remove() }
        let writer = try GzipLineWriter(path: dir.file("x.gz"))
        #expect(throws: PackagingError.self) { try writer.append(line: Array("a\nb".utf8)) }
    }
}
