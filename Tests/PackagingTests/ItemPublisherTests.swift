import Foundation
@testable import Packaging
import Testing
import TestSupport

struct ItemPublisherTests {
    @Test func aFolderOnTheSameFileSystemIsRenamed() throws {
        let dir = try TemporaryDirectory("pub")
        defer { dir.remove() }
        try Files.write(dir.file("staging/a.tar"), "tar")
        let item = try ItemPublisher.publish(
            staging: dir.file("staging"), output: dir.file("out"), identifier: "mapillary-x-256")
        #expect(item == dir.file("out/mapillary-x-256"))
        #expect(try Files.read(item + "/a.tar") == Array("tar".utf8))
        #expect(!Files.exists(dir.file("staging")))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/shm"), "needs a second file system"))
    func acrossFileSystemsTheItemIsCopiedThroughADotFolder() throws {
        let dir = try TemporaryDirectory("pub")
        defer { dir.remove() }
        let other = "/dev/shm/mapillary-archiver-pub-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: other) }
        try Files.write(dir.file("staging/2024-01-01.tar"), Files.bytes(3 << 20, seed: 1), mtime: 1_700_000_000)
        try Files.write(dir.file("staging/.meta/title/0"), "T")
        try Files.write(dir.file("staging/sub/x.txt"), "x")
        let item = try ItemPublisher.publish(staging: dir.file("staging"), output: other, identifier: "mapillary-x-256")
        #expect(try Files.list(other) == ["mapillary-x-256"])  // no partial folder left
        #expect(try Files.read(item + "/2024-01-01.tar") == Files.bytes(3 << 20, seed: 1))
        let mtime =
            try FileManager.default.attributesOfItem(atPath: item + "/2024-01-01.tar")[.modificationDate] as? Date
        #expect(mtime?.timeIntervalSince1970 == 1_700_000_000)
        #expect(try Files.read(item + "/.meta/title/0") == Array("T".utf8))
        #expect(try Files.read(item + "/sub/x.txt") == Array("x".utf8))
        #expect(!Files.exists(dir.file("staging")))
    }

    @Test func anExistingTargetOrBadIdentifierIsRefused() throws {
        let dir = try TemporaryDirectory("pub")
        defer { dir.remove() }
        try Files.write(dir.file("staging/a"), "new")
        try FileManager.default.createDirectory(
            atPath: dir.file("out/mapillary-x-256"), withIntermediateDirectories: true)
        let exists = #expect(throws: PackagingError.self) {
            try ItemPublisher.publish(
                staging: dir.file("staging"), output: dir.file("out"), identifier: "mapillary-x-256")
        }
        #expect(exists?.code == .outputExists)
        let bad = #expect(throws: PackagingError.self) {
            try ItemPublisher.publish(staging: dir.file("staging"), output: dir.file("out"), identifier: "-bad")
        }
        #expect(bad?.code == .badIdentifier)
        #expect(try Files.list(dir.file("out/mapillary-x-256")) == [])  // the empty target was not replaced
        #expect(Files.exists(dir.file("staging/a")))
    }
}

/// The rename that publishes never replaces what is at the target, even an empty folder that appeared after the
/// check (plain rename(2) would replace an empty folder silently).
struct ItemPublisherNoReplaceTests {
    @Test func theRenameRefusesAnEmptyFolderAtTheTarget() throws {
        let dir = try TemporaryDirectory("pub")
        defer { dir.remove() }
        try Files.write(dir.file("staging/a.tar"), "tar")
        try FileManager.default.createDirectory(
            atPath: dir.file("out/mapillary-x-256"), withIntermediateDirectories: true)
        let result = ItemPublisherProbe.rename(dir.file("staging"), dir.file("out/mapillary-x-256"))
        #expect(result.status == -1 && result.errno == EEXIST, "\(result)")
        #expect(try Files.list(dir.file("out/mapillary-x-256")) == [], "the folder at the target is untouched")
        #expect(try Files.read(dir.file("staging/a.tar")) == Array("tar".utf8), "the staging folder stays")
        #expect(ItemPublisherProbe.rename(dir.file("staging"), dir.file("out/mapillary-y-256")).status == 0)
        #expect(try Files.read(dir.file("out/mapillary-y-256/a.tar")) == Array("tar".utf8))
    }
}

/// The publisher's rename, called directly (a race at the target cannot be staged reliably).
enum ItemPublisherProbe {
    static func rename(_ source: String, _ target: String) -> (status: Int32, errno: Int32) {
        let status = ItemPublisher.renameWithoutReplacing(source, target)
        return (status, status == 0 ? 0 : errno)
    }
}
