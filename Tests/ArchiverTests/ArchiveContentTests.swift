import Archiver
import Foundation
import SandboxKit
import Testing
import TestSupport

/// What ends up in the item, read back with GNU tar, bsdtar, Python's tarfile and exiftool.
@Suite struct ArchiveContentTests {
    @Test func tarsHoldEveryImageUnderItsDateAndSequenceWithNeutralOwnersAndTheCaptureTime() async throws {
        let h = try DownloadHarness(users: [.init(name: "alice", imageCount: 40)])
        defer { h.close() }
        let options = h.options(["alice"])
        let report = await h.run(options)
        let item = h.item("alice", options)
        #expect(report.exitCode == 0)

        let images = h.mapillary.expectedImages(user: "alice")
        #expect(images.contains { $0.capturedAt == nil }, "the sample has an image without a capture time")
        let members = try await TarListing.members(item: item)
        #expect(members.count == images.count)
        #expect(Set(members.map(\.imageID)).count == members.count, "no image is archived twice")
        let byID = Dictionary(members.map { ($0.imageID, $0) }, uniquingKeysWith: { first, _ in first })
        for image in images {
            let member = try #require(byID[image.id], "image \(image.id) is archived")
            #expect(member.name == image.memberName(ext: "webp"))
            #expect(member.tar == (image.captureDateUTC ?? "unknown-date") + ".tar")
            #expect(member.isFile && member.size > 0)
            #expect(member.uid == 0 && member.gid == 0 && member.uname == "" && member.gname == "")
            #expect(member.mode == 0o644)
            #expect(member.mtime == image.expectedMTime, "mtime of \(member.name)")
        }
        #expect(members.reduce(0) { $0 + $1.size } == report.users.first?.bytes)

        // GNU tar and bsdtar read every tar to its end and see the same members in the same order.
        let tars = try FileManager.default.contentsOfDirectory(atPath: item).filter { $0.hasSuffix(".tar") }.sorted()
        #expect(tars.contains("unknown-date.tar"))
        for tar in tars {
            let expected = members.filter { $0.tar == tar }.map(\.name)
            #expect(try await ExternalTool.detached { try TarListing.gnuNames(item + "/" + tar) } == expected)
            #expect(try await ExternalTool.detached { try TarListing.bsdNames(item + "/" + tar) } == expected)
        }
        #expect(await h.verify(item) == [])
    }

    @Test func webpImagesCarryTheRecordsGPSHeadingCameraAndUTCTime() async throws {
        let h = try DownloadHarness(users: [.init(name: "alice", imageCount: 12)])
        defer { h.close() }
        let options = h.options(["alice"])
        _ = await h.run(options)
        let item = h.item("alice", options)
        let extracted = h.temp.file("extracted")
        try FileManager.default.createDirectory(atPath: extracted, withIntermediateDirectories: true)
        for tar in try FileManager.default.contentsOfDirectory(atPath: item) where tar.hasSuffix(".tar") {
            try #require(try await ExternalTool.runDetached("bsdtar", ["-xf", item + "/" + tar, "-C", extracted]).ok)
        }
        // A plain image, one with a panorama sequence's camera, and the last one.
        let images = h.mapillary.expectedImages(user: "alice")
        let sample = [
            images[0], try #require(images.first { $0.isPano }, "the sample has a panorama"), images[images.count - 1],
        ]
        for image in sample {
            let file = extracted + "/" + image.memberName(ext: "webp")
            #expect(try await ExternalTool.runDetached("webpinfo", ["-quiet", file]).ok, "\(file) is a valid WebP")
            let tags = try await ExifToolTags.readDetached(file)
            let lat = image.computedPosition?.latitude ?? image.latitude
            let lon = image.computedPosition?.longitude ?? image.longitude
            #expect(abs((tags["Composite:GPSLatitude"] as? Double ?? 999) - lat) < 1e-6, "latitude of \(image.id)")
            #expect(abs((tags["Composite:GPSLongitude"] as? Double ?? 999) - lon) < 1e-6, "longitude of \(image.id)")
            let heading = image.computedCompassAngle ?? image.compassAngle
            #expect(abs((tags["GPS:GPSImgDirection"] as? Double ?? 999) - heading) < 0.01, "heading of \(image.id)")
            #expect(tags["IFD0:Make"] as? String == image.make)
            #expect(tags["IFD0:Orientation"] == nil, "the pixels are stored upright, no Orientation tag")
            let captured = try #require(image.capturedAt)
            #expect(
                tags["Composite:SubSecDateTimeOriginal"] as? String == Exif.utcText(milliseconds: captured),
                "capture time of \(image.id) in UTC with milliseconds")
            #expect(tags["ExifIFD:OffsetTimeOriginal"] as? String == "+00:00")
            if image.isPano {
                #expect(tags["XMP-GPano:ProjectionType"] as? String == "equirectangular")
            }
        }
    }

    @Test func noWebpKeepsTheCDNsCompressedImageDataByteForByte() async throws {
        let h = try DownloadHarness(users: [.init(name: "alice", imageCount: 10)])
        defer { h.close() }
        var options = h.options(["alice"], quality: .q1024)
        options.webp = false
        let report = await h.run(options)
        let item = h.item("alice", options)
        #expect(item.hasSuffix("/mapillary-alice-1024"), "the identifier has no -webp suffix")
        #expect(report.exitCode == 0)
        let extracted = h.temp.file("extracted")
        try FileManager.default.createDirectory(atPath: extracted, withIntermediateDirectories: true)
        for tar in try FileManager.default.contentsOfDirectory(atPath: item) where tar.hasSuffix(".tar") {
            try #require(try await ExternalTool.runDetached("tar", ["-xf", item + "/" + tar, "-C", extracted]).ok)
        }
        for image in h.mapillary.expectedImages(user: "alice") {
            let archived = Array(
                try Data(contentsOf: URL(fileURLWithPath: extracted + "/" + image.memberName(ext: "jpg"))))
            let served = try h.mapillary.imageBytes(id: image.id, quality: .q1024)
            #expect(archived != served, "EXIF was written into \(image.id)")
            let a = try #require(JPEGSegments.strippingAPPn(archived), "the archived \(image.id) is a JPEG")
            let s = try #require(JPEGSegments.strippingAPPn(served))
            #expect(a == s, "apart from APPn segments, \(image.id) is what the CDN served")
        }
        let first = h.mapillary.expectedImages(user: "alice")[0]
        let tags = try await ExifToolTags.readDetached(extracted + "/" + first.memberName(ext: "jpg"))
        #expect(tags["Composite:SubSecDateTimeOriginal"] as? String == Exif.utcText(milliseconds: first.capturedAt!))
    }

    @Test func noTarWritesLooseFilesWithTheCaptureTimeAsMtime() async throws {
        let h = try DownloadHarness(users: [.init(name: "alice", imageCount: 16)])
        defer { h.close() }
        var options = h.options(["alice"])
        options.tar = false
        let report = await h.run(options)
        let item = h.item("alice", options)
        #expect(report.exitCode == 0)

        let names = try FileManager.default.contentsOfDirectory(atPath: item)
        #expect(!names.contains { $0.hasSuffix(".tar") })
        #expect(names.contains("metadata.jsonl.gz") && names.contains("__ia_thumb__.jpg") && names.contains(".meta"))
        var loose: [String] = []
        if let walker = FileManager.default.enumerator(atPath: item) {
            for case let path as String in walker where path.hasSuffix(".webp") || path.contains(".partial") {
                loose.append(path)
            }
        }
        let images = h.mapillary.expectedImages(user: "alice")
        #expect(
            loose.sorted() == images.map { $0.memberName(ext: "webp") }.sorted(), "one file per image, no partial files"
        )
        for image in images {
            let path = item + "/" + image.memberName(ext: "webp")
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let mtime = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
            #expect(Int64(mtime) == image.expectedMTime, "mtime of \(image.memberName(ext: "webp"))")
        }
        #expect(Set(try await h.recordIDs(item)) == Set(images.map(\.id)))
        #expect(await h.verify(item) == [])
    }
}
