import Foundation
import Packaging
import Testing
import TestSupport

struct FolderPackagerRefusalTests {
    private func refusal(_ input: String, _ options: PackageOptions) -> PackagingError? {
        #expect(throws: PackagingError.self) { try FolderPackager.package(input, options: options) }
    }

    @Test func anEmptyFolderIsRefused() throws {
        let dir = try TemporaryDirectory("refuse")
        defer { dir.remove() }
        try FileManager.default.createDirectory(
            atPath: dir.file("in/empty-folder/2024-01-01"), withIntermediateDirectories: true)
        try Files.write(dir.file("in/empty-folder/.hidden"), "x")
        let error = refusal(dir.file("in/empty-folder"), PackageOptions(output: dir.file("out")))
        #expect(error?.code == .badInput)
        #expect(error?.description.contains("no files") == true)
        #expect(try Files.list(dir.file("out")) == [])
    }

    @Test func aLinkPointingOutsideTheFolderIsRefusedByName() throws {
        let dir = try TemporaryDirectory("refuse")
        defer { dir.remove() }
        let input = try Fixtures.pythonNoTarFolder(in: dir.file("in"))
        try Files.write(dir.file("secret.txt"), "outside")
        try FileManager.default.createSymbolicLink(
            atPath: input + "/2024-01-15/seqA/evil.webp", withDestinationPath: dir.file("secret.txt"))
        let error = refusal(input, PackageOptions(output: dir.file("out")))
        #expect(error?.code == .badInput)
        #expect(error?.description.contains("evil.webp") == true)
        #expect(error?.description.contains("outside") == true)
        #expect(try Files.list(dir.file("out")) == [])
    }

    @Test func aLinkInsideTheFolderIsStoredAsTheFile() throws {
        let dir = try TemporaryDirectory("refuse")
        defer { dir.remove() }
        let input = try Fixtures.pythonNoTarFolder(in: dir.file("in"))
        try FileManager.default.createSymbolicLink(
            atPath: input + "/2024-01-16/seqC/122.webp", withDestinationPath: "121.webp")
        let result = try FolderPackager.package(input, options: PackageOptions(output: dir.file("out")))
        let members = try TarListing.members(tar: result.item + "/2024-01-16.tar")
        #expect(members.map(\.name) == ["2024-01-16/seqC/121.webp", "2024-01-16/seqC/122.webp"])
        #expect(members[0].md5 == members[1].md5 && members[1].isFile)
    }

    @Test func anInvalidIdentifierIsRefusedWithTheReason() throws {
        let dir = try TemporaryDirectory("refuse")
        defer { dir.remove() }
        let input = try Fixtures.pythonNoTarFolder(in: dir.file("in"), name: "my photos")
        let error = refusal(input, PackageOptions(output: dir.file("out")))
        #expect(error?.code == .badIdentifier)
        #expect(error?.description.contains("' ' at position 3") == true)
        #expect(error?.description.contains("--identifier") == true)
        let short = refusal(input, PackageOptions(output: dir.file("out"), identifier: "abc"))
        #expect(short?.description.contains("too short") == true)
    }

    @Test func anExistingItemIsNeverOverwritten() throws {
        let dir = try TemporaryDirectory("refuse")
        defer { dir.remove() }
        let input = try Fixtures.pythonNoTarFolder(in: dir.file("in"))
        try Files.write(dir.file("out/mapillary-someuser-original-webp/keep.txt"), "mine")
        let error = refusal(input, PackageOptions(output: dir.file("out")))
        #expect(error?.code == .outputExists)
        #expect(try Files.list(dir.file("out/mapillary-someuser-original-webp")) == ["keep.txt"])
        #expect(try Files.list(dir.file("out")) == ["mapillary-someuser-original-webp"])
    }

    @Test func aNonASCIIFileNameIsRefusedByNameWithoutCrashing() throws {
        let dir = try TemporaryDirectory("refuse")
        defer { dir.remove() }
        let input = try Fixtures.pythonNoTarFolder(in: dir.file("in"))
        try Files.write(input + "/2024-01-15/séq/1.webp", "x")
        let error = refusal(input, PackageOptions(output: dir.file("out")))
        #expect(error?.code == .unsafeName)
        #expect(error?.description.contains("2024-01-15/séq/1.webp") == true)
        #expect(try Files.list(dir.file("out")) == [])
    }

    @Test func anOutputInsideTheInputIsRefused() throws {
        let dir = try TemporaryDirectory("refuse")
        defer { dir.remove() }
        let input = try Fixtures.pythonNoTarFolder(in: dir.file("in"))
        let error = refusal(input, PackageOptions(output: input + "/out"))
        #expect(error?.code == .badInput)
        #expect(error?.description.contains("inside") == true)
    }

    @Test(.enabled(if: SmallDisk.isAvailable, "needs root to mount a small tmpfs"))
    func aFullDiskLeavesNothingInTheOutput() throws {
        let dir = try TemporaryDirectory("refuse")
        defer { dir.remove() }
        let input = dir.file("in/big-folder")
        for i in 0..<4 { try Files.write(input + "/2024-02-0\(i + 1)/x.jpg", Files.bytes(200_000, seed: UInt64(i))) }
        let disk = try SmallDisk(at: dir.file("out"), kilobytes: 512)
        defer { disk.unmount() }
        let error = refusal(input, PackageOptions(output: disk.path, makeThumbnail: false))
        #expect(error?.isDiskFull == true)
        #expect(error?.description.contains("free some space") == true)
        #expect(try Files.list(disk.path) == [])
    }
}
