import Foundation
import Packaging
import Testing
import TestSupport

struct ThumbnailTests {
    @Test func aThumbnailIsMadeFromTheFirstImageThatDecodes() throws {
        let dir = try TemporaryDirectory("thumb")
        defer { dir.remove() }
        let input = dir.file("in/mapillary-thumbuser-256-webp")
        let webp = try Fixtures.webpImage(in: dir.path)
        try Files.write(input + "/2024-01-01/s/1.webp", Array("not an image".utf8))  // first in order, but broken
        try Files.write(input + "/2024-01-01/s/2.webp", webp)
        let result = try FolderPackager.package(input, options: PackageOptions(output: dir.file("out")))
        #expect(result.notes.isEmpty)
        let thumb = result.item + "/__ia_thumb__.jpg"
        let info = try ExternalTool.run("exiftool", ["-s3", "-FileType", "-ImageWidth", "-ImageHeight", thumb])
        #expect(info.stdout.split(separator: "\n") == ["JPEG", "64", "48"])
        #expect(result.imageCount == 2)  // the thumbnail is not counted as an image
    }

    @Test func noUsableImageMeansANoteNotAnError() throws {
        let dir = try TemporaryDirectory("thumb")
        defer { dir.remove() }
        let input = dir.file("in/some-text-files")
        try Files.write(input + "/docs/a.txt", "a")
        let result = try FolderPackager.package(input, options: PackageOptions(output: dir.file("out")))
        #expect(!Files.exists(result.item + "/__ia_thumb__.jpg"))
        #expect(result.notes.count == 1 && result.notes[0].contains("no thumbnail"))
    }
}
