import Foundation
import Synchronization
import Packaging
import Testing
import TestSupport

struct FolderPackagerTests {
    @Test func thePythonToolsNoTarLayoutBecomesOneTarPerDate() throws {
        let dir = try TemporaryDirectory("pkg")
        defer { dir.remove() }
        let input = try Fixtures.pythonNoTarFolder(in: dir.file("in"))
        let before = try Fixtures.snapshot(input)
        let result = try FolderPackager.package(input, options: PackageOptions(output: dir.file("out")))
        let item = dir.file("out/mapillary-someuser-original-webp")
        #expect(result.item == item)
        #expect(try Fixtures.snapshot(input) == before)  // the input is untouched

        #expect(
            try Files.list(item) == [
                ".mapillary-archiver", ".meta", "2024-01-15.tar", "2024-01-16.tar",
                "__ia_thumb__.jpg", "download.log.20240120-101010", "metadata.jsonl.gz",
                "progress.json", "unknown-date.tar",
            ])
        let day = try TarListing.members(tar: item + "/2024-01-15.tar")
        #expect(
            day.map(\.name) == ["2024-01-15/seqA/111.webp", "2024-01-15/seqA/112.webp", "2024-01-15/seqB/113.webp"])
        #expect(day.map(\.mtime) == [1_705_312_800, 1_705_312_850, 1_705_312_900])
        #expect(
            day.allSatisfy { $0.uid == 0 && $0.gid == 0 && $0.uname.isEmpty && $0.gname.isEmpty && $0.mode == 0o644 })
        for member in day { #expect(member.md5 == MD5Hex.of(try Files.read(input + "/" + member.name))) }
        #expect(try TarListing.gnuNames(item + "/2024-01-16.tar") == ["2024-01-16/seqC/121.webp"])
        #expect(try TarListing.bsdNames(item + "/unknown-date.tar") == ["unknown-date/131.webp"])
        for side in ["metadata.jsonl.gz", "progress.json", "download.log.20240120-101010", "__ia_thumb__.jpg"] {
            #expect(try Files.read(item + "/" + side) == (try Files.read(input + "/" + side)))
        }
        for (name, summary) in result.tars { #expect(summary.md5 == (try TarListing.md5sum(item + "/" + name))) }

        let meta = try #require(try MetaFolder.read(item: item))
        #expect(meta["title"] == ["Mapillary images by someuser"])
        #expect(meta["date"] == ["2024-01-15"])
        #expect(meta["coverage"] == ["2024-01-15 - 2024-01-17"])  // from captured_at of all records
        #expect(meta["mapillary_user"] == ["someuser"])
        let description = try #require(meta["description"].first)
        #expect(
            description.contains("Contains 5 images in original resolution captured between 2024-01-15 and 2024-01-17.")
        )
        #expect(description.contains("Images were recompressed with WebP."))
        #expect(description.contains("one tar file per capture date"))
        #expect(ItemVerifier.verify(item: item) == [])
        #expect(try Files.list(dir.file("out")) == ["mapillary-someuser-original-webp"])  // no partial folder left
    }

    @Test func packagingTheSameInputTwiceGivesIdenticalTars() throws {
        let dir = try TemporaryDirectory("pkg")
        defer { dir.remove() }
        let input = try Fixtures.pythonNoTarFolder(in: dir.file("in"))
        _ = try FolderPackager.package(input, options: PackageOptions(output: dir.file("a")))
        _ = try FolderPackager.package(input, options: PackageOptions(output: dir.file("b")))
        for tar in ["2024-01-15.tar", "2024-01-16.tar", "unknown-date.tar"] {
            let a = try TarListing.sha256(dir.file("a/mapillary-someuser-original-webp/" + tar))
            let b = try TarListing.sha256(dir.file("b/mapillary-someuser-original-webp/" + tar))
            #expect(a == b)
        }
    }

    @Test func anExistingMetaIsTheBaseAndOverridesReplaceKeys() throws {
        let dir = try TemporaryDirectory("pkg")
        defer { dir.remove() }
        let input = try Fixtures.pythonNoTarFolder(in: dir.file("in"), meta: true)
        let options = PackageOptions(
            output: dir.file("out"), identifier: "someuser-archive-2024",
            metaOverrides: [
                try MetaOverride(parsing: "collection=opensource_media"),
                try MetaOverride(parsing: "subject=a"), try MetaOverride(parsing: "subject=b"),
            ])
        let result = try FolderPackager.package(input, options: options)
        #expect(result.item == dir.file("out/someuser-archive-2024"))
        let meta = try #require(try MetaFolder.read(item: result.item))
        #expect(
            meta["scanner"] == [
                "mapillary_downloader 0.12.0 https://bitplane.net/dev/python/mapillary_downloader/",
                "rip https://bitplane.net/dev/sh/rip",
            ])
        #expect(meta["mapillary_downloader"] == ["0.12.0"])
        #expect(meta["collection"] == ["opensource_media"])
        #expect(meta["subject"] == ["a", "b"])
        #expect(meta["description"].isEmpty)  // templates are not applied over a foreign .meta
    }

    @Test func anyFolderCanBeTarredByTopLevelFolderOrNotAtAll() throws {
        let dir = try TemporaryDirectory("pkg")
        defer { dir.remove() }
        let input = dir.file("in/holiday-photos")
        try Files.write(input + "/beach/a.jpg", Files.bytes(100, seed: 1), mtime: 1_000)
        try Files.write(input + "/beach/deep/b.jpg", Files.bytes(200, seed: 2), mtime: 2_000)
        try Files.write(input + "/city/c.jpg", Files.bytes(300, seed: 3), mtime: 3_000)
        try Files.write(input + "/notes.txt", "hello")
        let result = try FolderPackager.package(
            input, options: PackageOptions(output: dir.file("out"), makeThumbnail: false))
        #expect(result.tars.keys.sorted() == ["beach.tar", "city.tar"])
        #expect(
            try TarListing.members(tar: result.item + "/beach.tar").map(\.name) == ["beach/a.jpg", "beach/deep/b.jpg"])
        #expect(try Files.read(result.item + "/notes.txt") == Array("hello".utf8))
        #expect(result.imageCount == 3)

        let loose = try FolderPackager.package(
            input,
            options: PackageOptions(
                output: dir.file("loose"), tarBy: TarGrouping.none,
                makeThumbnail: false))
        #expect(loose.tars.isEmpty)
        #expect(try Files.read(loose.item + "/beach/deep/b.jpg") == Files.bytes(200, seed: 2))
        #expect(ItemVerifier.verify(item: loose.item) == [])
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/shm"), "needs a second file system"))
    func filesFromAnotherFileSystemAreCopiedAndALinkedInputKeepsItsName() throws {
        let dir = try TemporaryDirectory("pkg")
        defer { dir.remove() }
        let other = "/dev/shm/mapillary-archiver-pkg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: other) }
        let input = try Fixtures.pythonNoTarFolder(in: other, name: "stored-elsewhere")
        try FileManager.default.createSymbolicLink(
            atPath: dir.file("mapillary-linked-1024"), withDestinationPath: input)
        let result = try FolderPackager.package(
            dir.file("mapillary-linked-1024"), options: PackageOptions(output: dir.file("out")))
        #expect(result.identifier == "mapillary-linked-1024")
        #expect(try Files.read(result.item + "/progress.json") == (try Files.read(input + "/progress.json")))
        let linkCount =
            try FileManager.default.attributesOfItem(atPath: result.item + "/progress.json")[.referenceCount] as? Int
        #expect(linkCount == 1)  // a copy, not a hard link
        #expect(try MetaFolder.read(item: result.item)?["mapillary_user"] == ["linked"])
        #expect(ItemVerifier.verify(item: result.item) == [])
    }

    @Test func progressReachesTheTotals() throws {
        let dir = try TemporaryDirectory("pkg")
        defer { dir.remove() }
        let input = try Fixtures.pythonNoTarFolder(in: dir.file("in"))
        let last = LastProgress()
        _ = try FolderPackager.package(
            input, options: PackageOptions(output: dir.file("out"), progress: { last.set($0) }))
        let final = try #require(last.value)
        #expect(final.filesDone == final.filesTotal && final.filesTotal == 9)
        #expect(final.bytesDone == final.bytesTotal && final.bytesTotal > 75_000)
    }

    @Test func theAsyncFormRunsOffThePool() async throws {
        let dir = try TemporaryDirectory("pkg")
        defer { dir.remove() }
        let input = try Fixtures.pythonNoTarFolder(in: dir.file("in"))
        let result = try await FolderPackager.package(input, options: PackageOptions(output: dir.file("out")))
        #expect(await ItemVerifier.verify(item: result.item) == [])
    }
}

/// The last progress value seen (the callback is @Sendable).
final class LastProgress: Sendable {
    private let storage = Mutex<PackageProgress?>(nil)
    func set(_ value: PackageProgress) { storage.withLock { $0 = value } }
    var value: PackageProgress? { storage.withLock { $0 } }
}
