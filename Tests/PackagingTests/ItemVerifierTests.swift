import Foundation
import Packaging
import Testing
import TestSupport

struct ItemVerifierTests {
    /// A packaged item without its manifest, so each test sees only the problem it makes.
    private func item(in dir: TemporaryDirectory, keepManifest: Bool = false) throws -> String {
        let input = try Fixtures.pythonNoTarFolder(in: dir.file("in"))
        let result = try FolderPackager.package(input, options: PackageOptions(output: dir.file("out")))
        if !keepManifest { try FileManager.default.removeItem(atPath: result.item + "/.mapillary-archiver") }
        return result.item
    }

    @Test func aGoodItemPassesIncludingExpectedIDs() throws {
        let dir = try TemporaryDirectory("verify")
        defer { dir.remove() }
        let item = try item(in: dir, keepManifest: true)
        #expect(
            ItemVerifier.verify(item: item, options: VerifyOptions(expectedIDs: ["111", "112", "113", "121", "131"]))
                == [])
        let missing = ItemVerifier.verify(item: item, options: VerifyOptions(expectedIDs: ["111", "777"]))
        #expect(missing.count == 1 && missing[0].contains("777"))
    }

    @Test func aTruncatedTarIsOneLine() throws {
        let dir = try TemporaryDirectory("verify")
        defer { dir.remove() }
        let item = try item(in: dir)
        let tar = item + "/2024-01-15.tar"
        try FileHandle(forWritingAtPath: tar)?.truncate(atOffset: 40_000)  // inside the first member's data
        let problems = ItemVerifier.verify(item: item)
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix(tar + ": ") == true)
        #expect(problems.first?.contains("truncated") == true)
    }

    /// Found by fuzzing (`parser-fuzz tar`, in CI): a damaged tar's problem named the last member read as the tar
    /// spelled it, control characters included, so the problem line broke (or a terminal obeyed it).
    @Test func aDamagedTarNamesItsLastMemberWithControlCharactersEscaped() throws {
        let dir = try TemporaryDirectory("verify")
        defer { dir.remove() }
        let item = try item(in: dir)
        let tar = item + "/2024-01-17.tar"
        // Written by Python's tarfile (our writer refuses such a name): two members, then cut inside the second
        // header, so the reader fails right after the first.
        let script = """
            import io, sys, tarfile
            with tarfile.open(sys.argv[1], "w", format=tarfile.USTAR_FORMAT) as t:
                for name in ["2024-01-17/s\\x04q/1.webp", "2024-01-17/sq/2.webp"]:
                    info = tarfile.TarInfo(name)
                    info.size = 700
                    t.addfile(info, io.BytesIO(b"x" * 700))
            """
        let made = try ExternalTool.run("python3", ["-c", script, tar])
        try #require(made.ok, "\(made.stderr)")
        try FileHandle(forWritingAtPath: tar)?.truncate(atOffset: 512 + 1024 + 100)
        let problems = ItemVerifier.verify(item: item)
        let line = try #require(problems.first { $0.hasPrefix(tar + ": damaged or truncated") }, "\(problems)")
        #expect(line.contains("after member 2024-01-17/s\\u{4}q/1.webp"), "\(line)")
        #expect(
            !problems.contains { $0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } }, "\(problems)")
    }

    @Test func aTarWithoutItsEndBlocksIsOneLine() throws {
        let dir = try TemporaryDirectory("verify")
        defer { dir.remove() }
        let item = try item(in: dir)
        let tar = item + "/2024-01-16.tar"
        try FileHandle(forWritingAtPath: tar)?.truncate(atOffset: UInt64(try Files.size(tar) - 1024))
        let problems = ItemVerifier.verify(item: item)
        #expect(problems.count == 1)
        #expect(problems.first?.contains("2024-01-16.tar: has no end-of-archive blocks") == true)
    }

    @Test func aDuplicateMemberIsOneLine() throws {
        let dir = try TemporaryDirectory("verify")
        defer { dir.remove() }
        let item = try item(in: dir)
        let addendum = try TarAppender(path: item + "/2024-01-15.1.tar")
        try addendum.append(member: "2024-01-15/seqA/111.webp", bytes: [1, 2, 3], mtime: 0)
        _ = try addendum.finish()
        let problems = ItemVerifier.verify(item: item)
        #expect(problems.count == 1)
        #expect(problems.first?.contains("2024-01-15/seqA/111.webp is also in") == true)
    }

    @Test func aBrokenMetaIsOneLine() throws {
        let dir = try TemporaryDirectory("verify")
        defer { dir.remove() }
        let item = try item(in: dir)
        try FileManager.default.moveItem(atPath: item + "/.meta/subject/3", toPath: item + "/.meta/subject/5")
        let problems = ItemVerifier.verify(item: item)
        #expect(problems.count == 1)
        #expect(problems.first?.contains(".meta/subject/3: missing") == true)
        try FileManager.default.moveItem(atPath: item + "/.meta/subject/5", toPath: item + "/.meta/subject/3")
        try Files.write(item + "/.meta/title/notes", "x")
        let stray = ItemVerifier.verify(item: item)
        #expect(stray.count == 1 && stray[0].contains(".meta/title/notes"))
    }

    @Test func anInvalidIdentifierIsOneLine() throws {
        let dir = try TemporaryDirectory("verify")
        defer { dir.remove() }
        let item = try item(in: dir)
        try FileManager.default.moveItem(atPath: item, toPath: dir.file("out/bad item"))
        let problems = ItemVerifier.verify(item: dir.file("out/bad item"))
        #expect(problems.count == 1)
        #expect(problems.first?.contains("' ' at position 4") == true)
    }

    @Test func imagesWithoutRecordsAndManifestMismatchesAreReported() throws {
        let dir = try TemporaryDirectory("verify")
        defer { dir.remove() }
        let item = try item(in: dir, keepManifest: true)
        // Same size, different bytes: only the MD5 can tell.
        let progress = try Files.read(item + "/progress.json")
        try FileManager.default.removeItem(atPath: item + "/progress.json")
        try Files.write(item + "/progress.json", progress.map { $0 == UInt8(ascii: "1") ? UInt8(ascii: "2") : $0 })
        let extra = try TarAppender(path: item + "/2024-02-02.tar")
        try extra.append(member: "2024-02-02/s/555.webp", bytes: [1], mtime: 0)
        _ = try extra.finish()
        let problems = ItemVerifier.verify(item: item)
        #expect(problems.count == 3)
        #expect(problems.contains { $0.contains("progress.json") && $0.contains("MD5") })
        #expect(problems.contains { $0.contains("555") && $0.contains("no record") })
        #expect(problems.contains { $0.contains("2024-02-02.tar: not in the manifest") })
    }

    @Test func manyProblemsOfOneKindEndInASummaryLine() throws {
        let dir = try TemporaryDirectory("verify")
        defer { dir.remove() }
        let item = try item(in: dir)
        let extra = try TarAppender(path: item + "/2024-02-02.tar")
        for id in 500..<510 { try extra.append(member: "2024-02-02/s/\(id).webp", bytes: [1], mtime: 0) }
        _ = try extra.finish()
        let problems = ItemVerifier.verify(item: item, options: VerifyOptions(maxListedPerKind: 3))
        #expect(problems.count == 4)
        #expect(problems.last == "… and 7 more problems like the one above")
    }

    @Test func aForeignTarWithNonASCIINamesIsReportedWithoutCrashing() throws {
        let dir = try TemporaryDirectory("verify")
        defer { dir.remove() }
        let item = try item(in: dir)
        let made = try ExternalTool.run(
            "python3",
            [
                "-c",
                """
                import io, sys, tarfile
                with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
                    info = tarfile.TarInfo("2024-03-03/séq/1.txt"); info.size = 2
                    t.addfile(info, io.BytesIO(b"hi"))
                """, item + "/2024-03-03.tar",
            ])
        #expect(made.ok)
        let problems = ItemVerifier.verify(item: item)
        #expect(problems.count == 1)
        #expect(problems.first?.contains("2024-03-03.tar") == true)
        #expect(problems.first?.contains("non-ASCII") == true)
    }
}
