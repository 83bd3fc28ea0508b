import Essentials
import Foundation
import Packaging
import Testing
import TestSupport

struct TarAppenderTests {
    @Test func membersAreNormalisedForEveryReader() throws {
        let dir = try TemporaryDirectory("tar")
        defer { dir.remove() }
        let tar = dir.file("2024-01-15.tar")
        let first = Files.bytes(70_001, seed: 1)
        let second = Array("hello\n".utf8)
        let appender = try TarAppender(path: tar)
        let end1 = try appender.append(member: "2024-01-15/seqA/111.webp", bytes: first, mtime: 1_705_312_800)
        let end2 = try appender.append(member: "2024-01-15/seqB/222.jpg", bytes: second, mtime: 1_705_312_801)
        try appender.append(member: "2024-01-15/333.webp", bytes: [], mtime: 1_705_312_802)
        #expect(end1 % 512 == 0 && end2 > end1)
        let summary = try appender.finish()

        #expect(summary.size == (try Files.size(tar)))
        #expect(summary.md5 == (try TarListing.md5sum(tar)))
        let members = try TarListing.members(tar: tar)
        #expect(members.map(\.name) == ["2024-01-15/seqA/111.webp", "2024-01-15/seqB/222.jpg", "2024-01-15/333.webp"])
        #expect(members.map(\.size) == [70_001, 6, 0])
        #expect(members.map(\.mtime) == [1_705_312_800, 1_705_312_801, 1_705_312_802])
        #expect(members.map(\.md5) == [MD5Hex.of(first), MD5Hex.of(second), MD5Hex.of([])])
        for member in members {
            #expect(member.isFile && member.uid == 0 && member.gid == 0)
            #expect(member.uname == "" && member.gname == "")
            #expect(member.mode == 0o644)
        }
        #expect(try TarListing.gnuNames(tar) == members.map(\.name))
        #expect(try TarListing.bsdNames(tar) == members.map(\.name))
        #expect(try TarListing.bsdContent(tar, member: "2024-01-15/seqB/222.jpg") == "hello\n")
        for line in try TarListing.gnuVerbose(tar) {
            #expect(line.hasPrefix("-rw-r--r-- 0/0 "))
        }
    }

    @Test func longNamesUpToTheLimitReadBackExactly() throws {
        let dir = try TemporaryDirectory("tar")
        defer { dir.remove() }
        let tar = dir.file("t.tar")
        let split =
            "2024-01-15/" + String(repeating: "s", count: 120) + "/" + String(repeating: "i", count: 90) + ".webp"
        let unsplittable = "d/" + String(repeating: "x", count: 253)  // needs a pax 'path' record
        let appender = try TarAppender(path: tar)
        try appender.append(member: split, bytes: [1], mtime: 1)
        try appender.append(member: unsplittable, bytes: [2], mtime: 2)
        let summary = try appender.finish()
        #expect(try TarListing.members(tar: tar).map(\.name) == [split, unsplittable])
        #expect(try TarListing.gnuNames(tar) == [split, unsplittable])
        #expect(try TarListing.bsdNames(tar) == [split, unsplittable])
        #expect(summary.md5 == (try TarListing.md5sum(tar)))
    }

    @Test func suspendAndReopenContinuesTheSameTarAndChecksum() throws {
        let dir = try TemporaryDirectory("tar")
        defer { dir.remove() }
        let tar = dir.file("t.tar")
        var appender = try TarAppender(path: tar)
        try appender.append(member: "a/1.jpg", bytes: Files.bytes(3000, seed: 2), mtime: 10)
        try appender.suspend()
        let length = appender.length
        let state = appender.md5State
        #expect(try Files.size(tar) == length)  // no end-of-archive blocks while suspended
        appender = try TarAppender(path: tar, committedLength: length, md5State: state)
        try appender.append(member: "a/2.jpg", bytes: Files.bytes(5000, seed: 3), mtime: 20)
        let summary = try appender.finish()
        #expect(try TarListing.members(tar: tar).map(\.name) == ["a/1.jpg", "a/2.jpg"])
        #expect(summary.md5 == (try TarListing.md5sum(tar)))
    }

    @Test(arguments: [true, false])
    func crashedTailIsCutAtTheCommittedLength(savedState: Bool) throws {
        let dir = try TemporaryDirectory("tar")
        defer { dir.remove() }
        let tar = dir.file("t.tar")
        var committed: (length: Int64, state: [UInt8])
        do {
            let appender = try TarAppender(path: tar)
            try appender.append(member: "d/1.webp", bytes: Files.bytes(10_000, seed: 4), mtime: 1)
            try appender.append(member: "d/2.webp", bytes: Files.bytes(700, seed: 5), mtime: 2)
            try appender.sync()
            committed = (appender.length, appender.md5State)
            try appender.append(member: "d/3.webp", bytes: Files.bytes(9000, seed: 6), mtime: 3)
        }  // the appender is dropped without finish: like a kill -9 after the third append
        let handle = try #require(FileHandle(forWritingAtPath: tar))
        handle.seekToEndOfFile()
        handle.write(Data(Files.bytes(1234, seed: 7)))  // a torn, half-written tail
        try handle.close()

        let reopened = try TarAppender(
            path: tar, committedLength: committed.length,
            md5State: savedState ? committed.state : nil)
        #expect(try Files.size(tar) == committed.length)
        let summary = try reopened.finish()
        #expect(try TarListing.members(tar: tar).map(\.name) == ["d/1.webp", "d/2.webp"])
        #expect(try TarListing.gnuNames(tar) == ["d/1.webp", "d/2.webp"])
        #expect(summary.md5 == (try TarListing.md5sum(tar)))
    }

    @Test func aTarShorterThanItsCommittedLengthIsAnErrorNamingIt() throws {
        let dir = try TemporaryDirectory("tar")
        defer { dir.remove() }
        let tar = dir.file("2024-02-02.tar")
        try Files.write(tar, Files.bytes(512, seed: 1))
        let error = #expect(throws: PackagingError.self) { try TarAppender(path: tar, committedLength: 1024) }
        #expect(error?.code == .shortTar)
        #expect(error?.description.contains("2024-02-02.tar") == true)
    }

    @Test(arguments: [
        "2024-01-15/ünï/x.webp", "../x.jpg", "/abs.jpg", "a//b.jpg", "a/./b.jpg", "", "a b.jpg",
        String(repeating: "x", count: 256),
    ])
    func unsafeMemberNamesAreRefusedAndTheTarStaysValid(name: String) throws {
        let dir = try TemporaryDirectory("tar")
        defer { dir.remove() }
        let tar = dir.file("t.tar")
        let appender = try TarAppender(path: tar)
        try appender.append(member: "ok/1.jpg", bytes: [1, 2, 3], mtime: 5)
        let error = #expect(throws: PackagingError.self) { try appender.append(member: name, bytes: [9], mtime: 5) }
        #expect(error?.code == .unsafeName)
        try appender.append(member: "ok/2.jpg", bytes: [4], mtime: 6)
        _ = try appender.finish()
        #expect(try TarListing.members(tar: tar).map(\.name) == ["ok/1.jpg", "ok/2.jpg"])
    }

    @Test func aFileLongerThanItsStatSizeIsRefusedAndRewound() throws {
        // /proc files report size 0 but have content: libarchive alone would silently drop the bytes.
        let dir = try TemporaryDirectory("tar")
        defer { dir.remove() }
        let tar = dir.file("t.tar")
        let appender = try TarAppender(path: tar)
        try appender.append(member: "ok/1.jpg", bytes: [1, 2, 3], mtime: 5)
        let before = appender.length
        let error = #expect(throws: PackagingError.self) {
            try appender.append(member: "proc/status", contentsOfFile: "/proc/self/status")
        }
        #expect(error?.code == .sizeMismatch)
        #expect(appender.length == before)
        #expect(try Files.size(tar) == before)
        _ = try appender.finish()
        #expect(try TarListing.members(tar: tar).map(\.name) == ["ok/1.jpg"])
    }

    @Test(arguments: [false, true])
    func filesStreamIntoTheTarWithTheRightChecksum(hashOnSeparateThread: Bool) throws {
        let dir = try TemporaryDirectory("tar")
        defer { dir.remove() }
        let big = Files.bytes(3 * (1 << 20) + 123, seed: 8)
        try Files.write(dir.file("src/big.jpg"), big, mtime: 1_600_000_000)
        try Files.write(dir.file("src/small.jpg"), Files.bytes(100, seed: 9), mtime: 1_600_000_001)
        let tar = dir.file("t.tar")
        let appender = try TarAppender(path: tar, hashOnSeparateThread: hashOnSeparateThread)
        var reported = 0
        try appender.append(member: "x/big.jpg", contentsOfFile: dir.file("src/big.jpg")) { reported += $0 }
        try appender.append(member: "x/mem.jpg", bytes: Files.bytes(40_000, seed: 10), mtime: 7)
        try appender.append(member: "x/small.jpg", contentsOfFile: dir.file("src/small.jpg"))
        let summary = try appender.finish()
        #expect(reported == big.count)
        #expect(summary.md5 == (try TarListing.md5sum(tar)))
        let members = try TarListing.members(tar: tar)
        #expect(members.map(\.name) == ["x/big.jpg", "x/mem.jpg", "x/small.jpg"])
        #expect(members.map(\.mtime) == [1_600_000_000, 7, 1_600_000_001])
        #expect(members[0].md5 == MD5Hex.of(big))
    }

    @Test(.enabled(if: SmallDisk.isAvailable, "needs root to mount a small tmpfs"))
    func aFullDiskIsReportedClearlyAndTheTarIsRewound() throws {
        let dir = try TemporaryDirectory("tar")
        defer { dir.remove() }
        let disk = try SmallDisk(at: dir.file("disk"), kilobytes: 256)
        defer { disk.unmount() }
        let tar = disk.path + "/2024-03-03.tar"
        let appender = try TarAppender(path: tar)
        try appender.append(member: "a/1.jpg", bytes: Files.bytes(100_000, seed: 1), mtime: 1)
        let before = appender.length
        let error = #expect(throws: PackagingError.self) {
            try appender.append(member: "a/2.jpg", bytes: Files.bytes(400_000, seed: 2), mtime: 2)
        }
        #expect(error?.isDiskFull == true)
        #expect(error?.description.contains("2024-03-03.tar") == true)
        #expect(error?.description.contains("free some space") == true)
        #expect(try Files.size(tar) == before)
        let summary = try appender.finish()
        #expect(try TarListing.members(tar: tar).map(\.name) == ["a/1.jpg"])
        #expect(summary.md5 == (try TarListing.md5sum(tar)))
    }
}

/// MD5 hex of bytes (Essentials' digest; the tars themselves are checked with md5sum and hashlib).
enum MD5Hex {
    static func of(_ bytes: [UInt8]) -> String { MD5.hex(of: bytes) }
}
