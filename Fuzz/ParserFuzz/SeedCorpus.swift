import Foundation
@testable import Imaging
@testable import Packaging

/// `parser-fuzz seeds DIR`: the starting corpus of every target, made by the project's own writers and fetched
/// from the sandbox over HTTP (real Graph pages, CDN images with camera EXIF, IAS3 and archive.org answers), so the
/// repository holds no binary inputs. Files go to `DIR/TARGET/NAME`; running it again rewrites the same files.
enum SeedCorpus {
    static func write(into root: String) async throws {
        let seeds = SeedFolder(root: root)
        let fetched = try await SandboxSeeds.fetch(into: seeds)
        try writeImages(fetched.jpegs, into: seeds)
        try writeTars(into: seeds)
        try writeRecordFiles(fetched.records, into: seeds)
        writeMetaFolders(into: seeds)
        writeConfigFiles(into: seeds)
        print("parser-fuzz: wrote \(seeds.count) seeds to \(root)")
    }

    /// `jpeg` and `exif`: the CDN's JPEGs, what `download` makes of them (merged EXIF, panorama XMP), one JPEG
    /// with camera XMP and a two-chunk ICC profile; every EXIF block among them, and blocks from ExifBuilder.
    private static func writeImages(_ jpegs: [[UInt8]], into seeds: SeedFolder) throws {
        var images = jpegs.enumerated().map { ("cdn-\($0.offset).jpg", $0.element) }
        if let first = jpegs.first {
            for (name, metadata) in [("archived", JPEGTarget.photo), ("archived-panorama", JPEGTarget.panorama)] {
                images.append(
                    ("\(name).jpg", try ImageTranscoder(format: .jpeg).transcode(first, metadata: metadata).bytes))
            }
        }
        let xmp = JPEGStructure.xmpSignature + PanoramaXMP.packet(width: 16, height: 8, headingHundredths: 9000)
        let icc = Array("a colour profile in two chunks".utf8)
        let segments = [
            xmp, JPEGStructure.iccSignature + [1, 2] + icc.prefix(10),
            JPEGStructure.iccSignature + [2, 2] + icc.dropFirst(10),
        ]
        .enumerated().compactMap { JPEGStructure.segment(marker: $0.offset == 0 ? 0xE1 : 0xE2, payload: $0.element) }
        let pixels = (0..<(16 * 8 * 3)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        images.append(("xmp-icc.jpg", try JPEGEncoder.encode(rgb: pixels, width: 16, height: 8, segments: segments)))

        for (name, jpeg) in images {
            seeds.add("jpeg", name, jpeg)
            if let structure = try? JPEGStructure.parse(jpeg),
                let tiff = structure.firstPayload(jpeg, after: JPEGStructure.exifSignature, where: structure.isExif)
            {
                seeds.add("exif", name + ".tiff", tiff)
            }
        }
        for order in [ExifByteOrder.bigEndian, .littleEndian] {
            var exif = ExifBuilder(byteOrder: order)
            exif[.make] = .ascii("Camera")
            exif[.orientation] = .short([6])
            exif[.xResolution] = .rational([ExifRational(72, 1)])
            exif[.dateTimeOriginal] = .ascii("2024:05:01 14:03:22")
            exif[.makerNote] = .undefined(Array("maker note bytes".utf8))
            exif[.gpsLatitude] = .rational([ExifRational(48, 1), ExifRational(8, 1), ExifRational(1234, 100)])
            exif[.gpsAltitude] = .rational([ExifRational(5195, 10)])
            seeds.add("exif", "builder-\(order == .bigEndian ? "mm" : "ii").tiff", try exif.tiff())
        }
        seeds.add("exif", "ifd1-thumbnail.tiff", thumbnailTIFF())
    }

    /// A big-endian block whose IFD0 (Make) links to an IFD1 describing a JPEG thumbnail, as cameras write it.
    private static func thumbnailTIFF() -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { u16(v >> 16) + u16(v & 0xFFFF) }
        func entry(_ tag: Int, _ type: Int, _ count: Int, _ value: [UInt8]) -> [UInt8] {
            u16(tag) + u16(type) + u32(count) + value + [UInt8](repeating: 0, count: 4 - value.count)
        }
        let thumbnail: [UInt8] = [0xFF, 0xD8, 0xFF, 0xD9]
        let ifd0 = u16(1) + entry(0x010F, 2, 4, Array("Cam".utf8) + [0]) + u32(26)
        let ifd1 =
            u16(3) + entry(0x0103, 3, 1, u16(6)) + entry(0x0201, 4, 1, u32(26 + 42))
            + entry(0x0202, 4, 1, u32(thumbnail.count)) + u32(0)
        return [0x4D, 0x4D, 0, 42] + u32(8) + ifd0 + ifd1 + thumbnail
    }

    /// `tar`: tars made by TarAppender as `download` and `package` make them, finished and not.
    private static func writeTars(into seeds: SeedFolder) throws {
        let folder = FuzzWorkspace.path + "/seed-tars"
        try FileTree.makeDirectory(folder)
        defer { FuzzWorkspace.remove(folder) }
        let members: [(String, [UInt8])] = [
            ("2024-05-01/seq-a/1000001.webp", Array("RIFF....WEBP".utf8)),
            ("2024-05-01/seq-a/1000002.jpg", [0xFF, 0xD8, 0xFF, 0xD9]),
            (
                "2024-05-01/" + String(repeating: "long-sequence-name-", count: 6) + "/1000003.jpg",
                Array(repeating: 7, count: 700)
            ),
        ]
        for (name, count, finished) in [("three-members", 3, true), ("empty", 0, true), ("unfinished", 2, false)] {
            let path = folder + "/" + name + ".tar"
            let tar = try TarAppender(path: path)
            for (member, bytes) in members.prefix(count) {
                _ = try tar.append(member: member, bytes: bytes, mtime: 1_714_572_202)
            }
            if finished { _ = try tar.finish(sync: false) } else { try tar.suspend() }
            seeds.add("tar", name + ".tar", try FileTree.readFile(path))
        }
    }

    /// `gzip-lines`: `metadata.jsonl.gz` files written by GzipLineWriter from the sandbox's records (one file, and
    /// two files joined, which gzip readers must take as one), and an empty one.
    private static func writeRecordFiles(_ records: [[UInt8]], into seeds: SeedFolder) throws {
        let path = FuzzWorkspace.path + "/seed.jsonl.gz"
        defer { FuzzWorkspace.remove(path) }
        func gzip(_ lines: [[UInt8]]) throws -> [UInt8] {
            let writer = try GzipLineWriter(path: path)
            for line in lines { try writer.append(line: line) }
            _ = try writer.finish()
            return try FileTree.readFile(path)
        }
        let all = try gzip(records)
        seeds.add("gzip-lines", "records.jsonl.gz", all)
        seeds.add("gzip-lines", "two-members.jsonl.gz", try gzip(Array(records.prefix(1))) + all)
        seeds.add("gzip-lines", "empty.jsonl.gz", try gzip([]))
    }

    /// `meta-folder`: rip layouts as `package` writes them and as people write them by hand, with the usual mistakes.
    private static func writeMetaFolders(into seeds: SeedFolder) {
        seeds.add(
            "meta-folder", "item",
            MetaFolderTarget.encode([
                ("title/0", "Mapillary images of alice"), ("description/0", "Street-level photos.\nOne tar per day.\n"),
                ("subject/0", "mapillary"), ("subject/1", "street-level imagery"), ("collection/0", "opensource_media"),
                ("mediatype/0", "data"),
            ]))
        seeds.add(
            "meta-folder", "mistakes",
            MetaFolderTarget.encode([
                ("title/1", "a gap before me"), ("notes.txt", "a stray file"), ("bad key/0", "x"), ("empty/", ""),
                ("date/00", "a leading zero"), ("creator/0", "ends with CRLF\r\n"),
            ]))
    }

    /// `ia-ini`: config files as `ia configure` writes them, and as people edit them.
    private static func writeConfigFiles(into seeds: SeedFolder) {
        seeds.add(
            "ia-ini", "ia-configure.ini",
            Array(
                """
                [s3]
                access = AKIAFUZZACCESS01
                secret = fuzzSecretKey0123456

                [cookies]
                logged-in-user = fuzz%40example.org
                logged-in-sig = 1700000000%201700000000%20signature

                [general]
                screenname = fuzz

                """.utf8))
        seeds.add(
            "ia-ini", "edited.ini",
            Array(
                "# keys from https://archive.org/account/s3.php\r\n[S3]\r\n"
                    .appending("access: AKIAFUZZ02\r\n; old key below\r\nsecret=first\r\n  secret =  second \r\n").utf8)
        )
    }
}

/// Where seeds are written: one folder per target.
final class SeedFolder {
    let root: String
    private(set) var count = 0

    init(root: String) { self.root = root }

    func add(_ target: String, _ name: String, _ bytes: [UInt8]) {
        let folder = root + "/" + target
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            fail("cannot make \(folder): \(error)")
        }
        FuzzWorkspace.write(bytes, to: folder + "/" + name)
        count += 1
    }
}
