import Foundation
import Packaging
import TestSupport

/// Input folders shaped like the Python tool's output, for package and verify tests.
enum Fixtures {
    /// Image files of the Python tool's `--no-tar` layout: relative path → (bytes, mtime).
    static let images: [(path: String, size: Int, mtime: Int64)] = [
        ("2024-01-15/seqB/113.webp", 3000, 1_705_312_900),
        ("2024-01-15/seqA/111.webp", 70_000, 1_705_312_800),
        ("2024-01-15/seqA/112.webp", 512, 1_705_312_850),
        ("2024-01-16/seqC/121.webp", 1500, 1_705_400_000),
        ("unknown-date/131.webp", 10, 1_600_000_000),
    ]

    static let sideFiles: [(path: String, text: String)] = [
        ("progress.json", #"{"original": ["111", "112", "113", "121", "131"]}"#),
        ("download.log.20240120-101010", "2024-01-20 10:10:10 INFO started\n"),
    ]

    /// Records for every image (captured_at in ms), plus the Python tool's completion marker.
    static let records: [String] = [
        #"{"id":"111","captured_at":1705312800000,"sequence":"seqA"}"#,
        #"{"id":"112","captured_at":1705312850000,"sequence":"seqA"}"#,
        #"{"id":"113","captured_at":1705312900000,"sequence":"seqB"}"#,
        #"{"id":"121","captured_at":1705400000000,"sequence":"seqC"}"#,
        #"{"id":"131"}"#,
        #"{"id":"999","captured_at":1705500000000}"#,
        #"{"__complete__": true}"#,
    ]

    /// Builds `{parent}/{name}` in the Python tool's `--no-tar` layout and returns its path.
    @discardableResult
    static func pythonNoTarFolder(
        in parent: String, name: String = "mapillary-someuser-original-webp",
        thumbnail: Bool = true, meta: Bool = false
    ) throws -> String {
        let root = parent + "/" + name
        for (index, image) in images.enumerated() {
            try Files.write(
                root + "/" + image.path, Files.bytes(image.size, seed: UInt64(index + 1)), mtime: image.mtime)
        }
        for side in sideFiles { try Files.write(root + "/" + side.path, side.text) }
        let writer = try GzipLineWriter(path: root + "/metadata.jsonl.gz")
        for record in records { try writer.append(line: Array(record.utf8)) }
        _ = try writer.finish()
        if thumbnail { try Files.write(root + "/__ia_thumb__.jpg", Files.bytes(800, seed: 99)) }
        try Files.write(root + "/.api_cursor", "https://graph.mapillary.com/images?after=abc")
        if meta {
            try Files.write(root + "/.meta/title/0", "Mapillary images by someuser")
            try Files.write(
                root + "/.meta/scanner/0",
                "mapillary_downloader 0.12.0 https://bitplane.net/dev/python/mapillary_downloader/")
            try Files.write(root + "/.meta/scanner/1", "rip https://bitplane.net/dev/sh/rip")
            try Files.write(root + "/.meta/mapillary_downloader/0", "0.12.0")
        }
        return root
    }

    /// Every file under `root` with its MD5 and mtime: to prove a folder was left untouched.
    static func snapshot(_ root: String) throws -> [String: String] {
        var out: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            let path = root + "/" + relative
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let mtime = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            if attributes[.type] as? FileAttributeType == .typeDirectory {
                out[relative] = "dir"
            } else {
                out[relative] = "\(MD5Hex.of(try Files.read(path))) \(mtime)"
            }
        }
        return out
    }

    /// A small real WebP (64×48) made by cwebp from a generated PPM.
    static func webpImage(in dir: String) throws -> [UInt8] {
        var ppm = Array("P6\n64 48\n255\n".utf8)
        for y in 0..<48 { for x in 0..<64 { ppm += [UInt8(x * 4 % 256), UInt8(y * 5 % 256), 128] } }
        try Files.write(dir + "/src.ppm", ppm)
        let result = try ExternalTool.run("cwebp", ["-quiet", dir + "/src.ppm", "-o", dir + "/src.webp"])
        guard result.ok else { throw TestFailure("cwebp failed: \(result.stderr)") }
        return try Files.read(dir + "/src.webp")
    }
}
