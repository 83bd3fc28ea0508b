import Foundation
import Packaging
import Testing
import TestSupport

struct MetaFolderTests {
    @Test func writesTheRipLayoutByteForByte() throws {
        let dir = try TemporaryDirectory("meta")
        defer { dir.remove() }
        let metadata = ItemMetadata([
            MetaField(key: "title", values: ["Mapillary images by Zoë"]),
            MetaField(key: "subject", values: ["mapillary", "street-view", "photography"]),
            MetaField(key: "description", values: ["Line one.\n\nLine two.\n"]),
            MetaField(key: "mapillary_user", values: ["Zoë"]),
            MetaField(key: "ddrescue.log", values: ["", "kept"]),
        ])
        try MetaFolder.write(metadata, toItem: dir.path)
        let meta = dir.file(".meta")
        #expect(try Files.list(meta) == ["ddrescue.log", "description", "mapillary_user", "subject", "title"])
        #expect(try Files.list(meta + "/subject") == ["0", "1", "2"])
        #expect(try Files.read(meta + "/title/0") == Array("Mapillary images by Zoë".utf8))
        #expect(try Files.read(meta + "/subject/1") == Array("street-view".utf8))
        #expect(try Files.read(meta + "/description/0") == Array("Line one.\n\nLine two.".utf8))  // no trailing newline
        // Empty values are skipped; the numbering stays contiguous.
        #expect(try Files.list(meta + "/ddrescue.log") == ["0"])
        #expect(try Files.read(meta + "/ddrescue.log/0") == Array("kept".utf8))
        // rip reads each value with $(cat …): check the shell sees the same values.
        let shell = try ExternalTool.run(
            "sh", ["-c", "cd \(meta) && for i in 0 1 2; do printf '%s|' \"$(cat subject/$i)\"; done"])
        #expect(shell.stdout == "mapillary|street-view|photography|")
    }

    @Test func rewritingReplacesTheWholeFolder() throws {
        let dir = try TemporaryDirectory("meta")
        defer { dir.remove() }
        try MetaFolder.write(
            ItemMetadata([
                MetaField(key: "subject", values: ["a", "b", "c"]),
                MetaField(key: "old", values: ["x"]),
            ]), toItem: dir.path)
        try MetaFolder.write(ItemMetadata([MetaField(key: "subject", values: ["z"])]), toItem: dir.path)
        #expect(try Files.list(dir.file(".meta")) == ["subject"])
        #expect(try Files.list(dir.file(".meta/subject")) == ["0"])
        #expect(try Files.list(dir.path) == [".meta"])  // no temp folders left behind
        #expect(try MetaFolder.read(item: dir.path) == ItemMetadata([MetaField(key: "subject", values: ["z"])]))
    }

    @Test func readsValuesInOrderAndDropsTrailingNewlinesLikeRip() throws {
        let dir = try TemporaryDirectory("meta")
        defer { dir.remove() }
        for i in 0..<12 { try Files.write(dir.file(".meta/subject/\(i)"), "s\(i)\n") }  // `echo v | meta_add`
        try Files.write(dir.file(".meta/title/0"), "T")
        let metadata = try #require(try MetaFolder.read(item: dir.path))
        #expect(metadata.keys == ["subject", "title"])
        #expect(metadata["subject"] == (0..<12).map { "s\($0)" })  // numeric, not lexical, order
        #expect(MetaFolder.problems(folder: dir.file(".meta")).isEmpty)
    }

    @Test func theReaderReportsEveryMalformation() throws {
        let dir = try TemporaryDirectory("meta")
        defer { dir.remove() }
        let meta = dir.file(".meta")
        try Files.write(meta + "/subject/0", "a")
        try Files.write(meta + "/subject/2", "c")  // gap at 1
        try Files.write(meta + "/title/0", "t")
        try Files.write(meta + "/title/notes.txt", "x")  // stray file in a key
        try Files.write(meta + "/stray", "x")  // stray file at the top
        try Files.write(meta + "/bad key/0", "x")  // invalid key name
        try Files.write(meta + "/creator/0", [0xff, 0xfe])  // not UTF-8
        try Files.write(meta + "/date/01", "2024")  // not a plain index
        let problems = MetaFolder.problems(folder: meta)
        #expect(problems.count == 6)
        #expect(problems.contains { $0.contains("subject/1") && $0.contains("missing") })
        #expect(problems.contains { $0.contains("title/notes.txt") })
        #expect(problems.contains { $0.contains(".meta/stray") })
        #expect(problems.contains { $0.contains("bad key") })
        #expect(problems.contains { $0.contains("creator/0") && $0.contains("UTF-8") })
        #expect(problems.contains { $0.contains("date/01") })
        #expect(problems.allSatisfy { !$0.contains("\n") })
        #expect(throws: PackagingError.self) { try MetaFolder.read(item: dir.path) }
    }

    /// Found by fuzzing (`parser-fuzz meta-folder`): a value file numbered 2147483647 made the reader walk (and
    /// allocate) every number below it, so `verify`, `package` and `upload` ran out of memory on such a folder.
    @Test(.timeLimit(.minutes(1))) func aHugeValueNumberIsOneGapAtOnce() throws {
        let dir = try TemporaryDirectory("meta")
        defer { dir.remove() }
        let meta = dir.file(".meta")
        try Files.write(meta + "/title/0", "t")
        try Files.write(meta + "/title/2147483647", "far away")
        try Files.write(meta + "/subject/0", "a")
        try Files.write(meta + "/subject/2", "c")
        let problems = MetaFolder.problems(folder: meta)
        #expect(
            problems == [
                meta + "/subject/1: missing; values must be numbered 0, 1, 2… without gaps",
                meta + "/title/1…2147483646: missing; values must be numbered 0, 1, 2… without gaps",
            ])
        #expect(throws: PackagingError.self) { try MetaFolder.read(item: dir.path) }
    }

    /// Found by fuzzing (`parser-fuzz meta-folder`, which writes back what reads cleanly): a value ending in CRLF
    /// kept its "\r\n" (Swift's String sees one character there, not a "\n"), while rip's `$(cat …)` and the
    /// writer drop only the line feed. A NUL byte is a problem, not part of a value the writer would refuse.
    @Test func valuesReadAsRipReadsThemAndWriteBackTheSame() throws {
        let dir = try TemporaryDirectory("meta")
        defer { dir.remove() }
        let meta = dir.file(".meta")
        try Files.write(meta + "/title/0", "ends with CRLF\r\n")
        try Files.write(meta + "/title/1", "two line feeds\n\n")
        let shell = try ExternalTool.run(
            "sh", ["-c", "cd \(meta) && printf '%s|' \"$(cat title/0)\" \"$(cat title/1)\""])
        let metadata = try #require(try MetaFolder.read(item: dir.path))
        #expect(metadata["title"].map { $0 + "|" }.joined() == shell.stdout)
        #expect(metadata["title"] == ["ends with CRLF\r", "two line feeds"])
        try FileManager.default.createDirectory(atPath: dir.file("copy"), withIntermediateDirectories: true)
        try MetaFolder.write(metadata, toItem: dir.file("copy"))
        #expect(try MetaFolder.read(item: dir.file("copy")) == metadata)

        try Files.write(meta + "/creator/0", [0x61, 0x00, 0x62])
        let problems = MetaFolder.problems(folder: meta)
        #expect(problems == [meta + "/creator/0: contains a NUL byte, which IA cannot store; remove it"])
    }

    @Test func invalidKeysAreRefusedWhenWriting() throws {
        let dir = try TemporaryDirectory("meta")
        defer { dir.remove() }
        #expect(throws: PackagingError.self) {
            try MetaFolder.write(ItemMetadata([MetaField(key: "../escape", values: ["x"])]), toItem: dir.path)
        }
        #expect(throws: PackagingError.self) { try MetaOverride(parsing: "bad key=x") }
        #expect(throws: PackagingError.self) { try MetaOverride(parsing: "novalue") }
        #expect(!Files.exists(dir.file(".meta")))
    }
}
