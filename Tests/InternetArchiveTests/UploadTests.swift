import Essentials
import Foundation
import InternetArchive
import SandboxKit
import Synchronization
import Testing
import TestSupport

@Suite struct UploadTests {
    @Test func aWholeItemUploadsAndTheMetadataAPIListsEveryFileWithItsMD5() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let files: [String: [UInt8]] = [
            "2024-01-15.tar": pattern(150_000, seed: 1),  // multipart (threshold 100 KiB)
            "metadata.jsonl.gz": pattern(3_000, seed: 2),
            "sub/dir/a b#?.txt": Array("hello".utf8),
            "sub/.nested-dot": Array("kept".utf8),
            "empty.txt": [],
            ".top-level-dot": Array("never uploaded".utf8),
        ]
        let item = try h.makeItem("mapillary-alice-2048", files: files, meta: [("title", ["Alice's images"])])
        try FileManager.default.createSymbolicLink(atPath: item + "/link.txt", withDestinationPath: item + "/empty.txt")

        let seen = Mutex<(stages: Set<String>, maxSent: Int64, total: Int64)>(([], 0, 0))
        let uploader = h.uploader { progress in
            seen.withLock { state in
                state.stages.insert(progress.stage.rawValue)
                state.maxSent = max(state.maxSent, progress.itemBytesSent)
                state.total = progress.itemBytesTotal
            }
        }
        let report = try await uploader.upload(itemPath: item, options: fastOptions())

        let progress = seen.withLock { $0 }
        #expect(progress.stages == ["hashing", "uploading", "verifying"])
        #expect(progress.total == Int64(files.filter { !$0.key.hasPrefix(".") }.values.reduce(0) { $0 + $1.count }))
        #expect(progress.maxSent == progress.total)
        let expected = ["2024-01-15.tar", "empty.txt", "metadata.jsonl.gz", "sub/.nested-dot", "sub/dir/a b#?.txt"]
        #expect(report.uploaded == expected)
        let verification = try #require(report.verification)
        #expect(verification.isComplete)
        #expect(verification.verified.sorted() == expected)
        let stored = try #require(h.ia.item("mapillary-alice-2048"))
        #expect(stored.files.keys.sorted() == expected)
        for key in expected {
            #expect(stored.files[key]?.md5 == MD5.hex(of: files[key]!), "\(key)")
            #expect(stored.files[key]?.size == Int64(files[key]!.count), "\(key)")
        }
        #expect(stored.values("title") == ["Alice's images"])
        #expect(h.ia.pendingUploads(identifier: "mapillary-alice-2048") == 0)
        // The metadata API, read independently, agrees.
        let remote = try #require(
            try await ArchiveMetadataClient(http: h.http, endpoints: h.endpoints)
                .item("mapillary-alice-2048"))
        #expect(remote.exists)
        #expect(remote.file(named: "sub/dir/a b#?.txt")?.md5 == MD5.hex(of: Array("hello".utf8)))
    }

    @Test func headersAreExactlyWhatIAExpects() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let files: [String: [UInt8]] = [
            "a.txt": pattern(10), "b/é ü#1.txt": pattern(20, seed: 3),
            "c.bin": pattern(120_000, seed: 4),
        ]
        let meta: [(key: String, values: [String])] = [
            ("title", ["Почему бы и нет"]), ("subject", ["a b", "c", ""]), ("mapillary_downloader", ["0.12.0"]),
            ("description", ["Line one.\n\nLine two, 1,234 images."]), ("collection", ["test_collection"]),
        ]
        let item = try h.makeItem("header-check-item", files: files, meta: meta)
        _ = try await h.uploader().upload(itemPath: item, options: fastOptions())

        let log = h.ia.requestLog().filter { $0.host == .s3 }
        let objectWrites = log.filter {
            ($0.method == "PUT" && $0.queryValue("partNumber") == nil)
                || ($0.method == "POST" && $0.query.contains { $0.name == "uploads" })
        }
        #expect(
            objectWrites.map(\.path) == [
                "/header-check-item/a.txt", "/header-check-item/b/é ü#1.txt",
                "/header-check-item/c.bin",
            ])
        #expect(objectWrites[1].target == "/header-check-item/b/%C3%A9%20%C3%BC%231.txt")
        let total = String(files.values.reduce(0) { $0 + $1.count })
        for (index, request) in objectWrites.enumerated() {
            #expect(request.header("authorization") == "LOW \(h.ia.accessKey):\(h.ia.secretKey)")
            #expect(request.header("x-archive-auto-make-bucket") == "1")
            #expect(request.header("x-archive-size-hint") == total)
            #expect(request.header("x-archive-queue-derive") == (index == objectWrites.count - 1 ? "1" : "0"))
            #expect(
                request.header("x-archive-meta00-title")
                    == "uri(%D0%9F%D0%BE%D1%87%D0%B5%D0%BC%D1%83%20%D0%B1%D1%8B%20%D0%B8%20%D0%BD%D0%B5%D1%82)")
            #expect(request.header("x-archive-meta00-subject") == "uri(a%20b)")
            #expect(request.header("x-archive-meta01-subject") == "c")
            #expect(request.header("x-archive-meta02-subject") == nil)
            #expect(request.header("x-archive-meta00-mapillary--downloader") == "0.12.0")
            #expect(
                request.header("x-archive-meta00-description")
                    == "uri(Line%20one.%0A%0ALine%20two%2C%201%2C234%20images.)")
            #expect(request.header("transfer-encoding") == nil)
        }
        for put in log.filter({ $0.method == "PUT" }) {
            let md5 = try #require(put.header("content-md5"))
            #expect(md5.count == 32 && md5 == md5.lowercased())
            #expect(put.header("content-length") == String(put.bodyBytes))
            #expect(put.header("expect")?.lowercased() == "100-continue")
            #expect(put.status == 200)
        }
        let stored = try #require(h.ia.item("header-check-item"))
        #expect(stored.values("title") == ["Почему бы и нет"])
        #expect(stored.values("subject") == ["a b", "c"])
        #expect(stored.values("mapillary_downloader") == ["0.12.0"])
        #expect(stored.values("description") == ["Line one.\n\nLine two, 1,234 images."])
        #expect(stored.values("collection") == ["test_collection"])
    }

    @Test func withoutDeriveNoFileQueuesADerive() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let item = try h.makeItem(
            "no-derive-item", files: ["a": pattern(5), "b": pattern(6)], meta: [("title", ["x"])])
        var options = fastOptions()
        options.derive = false
        _ = try await h.uploader().upload(itemPath: item, options: options)
        let puts = h.bodyRequests()
        #expect(puts.count == 2)
        #expect(puts.allSatisfy { $0.header("x-archive-queue-derive") == "0" })
    }

    @Test func lineBreaksAndControlCharactersInMetadataNeverReachAHeader() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let hostile = "first\r\nX-Injected: 1\u{1}\u{7F}end"
        let item = try h.makeItem(
            "control-char-item", files: ["a.txt": pattern(10)],
            meta: [("title", [hostile]), ("note", ["tab\there"])])
        let report = try await h.uploader().upload(itemPath: item, options: fastOptions())
        #expect(report.uploaded == ["a.txt"])
        let put = try #require(h.bodyRequests().first)
        for header in put.headers {
            #expect(!header.value.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(header.name)")
        }
        #expect(put.header("x-injected") == nil)
        #expect(put.header("x-archive-meta00-title") == "uri(first%0D%0AX-Injected%3A%201%01%7Fend)")
        let stored = try #require(h.ia.item("control-char-item"))
        #expect(stored.values("title") == [hostile])
        #expect(stored.values("note") == ["tab\there"])
    }

    @Test func aMetadataKeyIACannotTakeFailsTheItemBeforeAnyRequest() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let item = try h.makeItem("bad-key-item", files: ["a.txt": pattern(10)], meta: [("9lives", ["x"])])
        await #expect {
            try await h.uploader().upload(itemPath: item, options: fastOptions())
        } throws: { error in
            let error = try #require(error as? InternetArchiveError)
            return error.code == .badMetadata && error.description.contains("9lives")
        }
        #expect(h.ia.requestLog().isEmpty)
    }

    @Test func anItemWithoutMetaUploadsWithAWarningAndNoMetadataHeaders() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let item = try h.makeItem("plain-item-01", files: ["a.txt": pattern(10)])
        let report = try await h.uploader().upload(itemPath: item, options: fastOptions())
        #expect(report.warnings.contains { $0.contains("no .meta") })
        let put = try #require(h.bodyRequests().first)
        #expect(!put.headers.contains { $0.name.hasPrefix("x-archive-meta") })
        #expect(h.ia.item("plain-item-01")?.values("mediatype") == ["data"])
    }

    @Test func anItemInThePythonToolsLayoutUploadsUnchanged() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let identifier = "mapillary-someuser-original-webp"
        let files: [String: [UInt8]] = [
            "2024-01-15.tar": pattern(40_000, seed: 7), "2024-03-20.tar": pattern(130_000, seed: 8),
            "unknown-date.tar": pattern(10_240, seed: 9), "metadata.jsonl.gz": pattern(2_000, seed: 10),
            "progress.json": Array("{\"done\": 3}".utf8), "download.log.20240401-120000": Array("log\n".utf8),
            "__ia_thumb__.jpg": pattern(900, seed: 11), ".api_cursor": Array("cursor".utf8),
        ]
        let meta: [(key: String, values: [String])] = [
            ("title", ["Mapillary images by someuser"]),
            ("description", ["Street-level imagery from Mapillary user someuser.\n\nContains 1,234 images."]),
            ("subject", ["mapillary", "street-view", "computer-vision", "geospatial", "photography"]),
            ("creator", ["someuser"]), ("date", ["2024-01-15"]), ("coverage", ["2024-01-15 - 2024-03-20"]),
            ("licenseurl", ["https://creativecommons.org/licenses/by-sa/4.0/"]), ("mediatype", ["data"]),
            ("collection", ["mapillary-images"]), ("source", ["https://www.mapillary.com/app/user/someuser"]),
            (
                "scanner",
                [
                    "mapillary_downloader 0.12.0 https://bitplane.net/dev/python/mapillary_downloader/",
                    "rip https://bitplane.net/dev/sh/rip",
                ]
            ),
            ("mapillary_downloader", ["0.12.0"]),
        ]
        let item = try h.makeItem(identifier, files: files, meta: meta)
        let report = try await h.uploader().upload(itemPath: item, options: fastOptions())
        #expect(report.verification?.isComplete == true)
        let stored = try #require(h.ia.item(identifier))
        #expect(stored.files.count == files.count - 1)
        #expect(stored.files[".api_cursor"] == nil)
        for (name, bytes) in files where !name.hasPrefix(".") {
            let path = try #require(stored.files[name]?.path)
            #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == bytes, "\(name)")
        }
        for (key, values) in meta { #expect(stored.values(key) == values, "\(key)") }
    }

    @Test func aDryRunSendsNothingWritesNothingAndMasksTheSecret() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let item = try h.makeItem(
            "dry-run-item", files: ["a.txt": pattern(10), "big.bin": pattern(70_000)],
            meta: [("title", ["T"])])
        var options = fastOptions()
        options.dryRun = true
        let report = try await h.uploader().upload(itemPath: item, options: options)
        #expect(h.ia.requestLog().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: item + "/.mapillary-archiver"))
        let text = report.plannedRequests.joined(separator: "\n")
        #expect(report.plannedRequests.count == 2)
        #expect(text.contains("PUT \(h.ia.s3URL)/dry-run-item/a.txt"))
        #expect(text.contains("Authorization: " + h.credentials.maskedAuthorization))
        #expect(text.contains("Content-MD5: " + MD5.hex(of: pattern(10))))
        #expect(text.contains("(body: 70000 bytes)"))
        #expect(!text.contains(h.ia.secretKey))
        #expect(h.credentials.maskedAuthorization.hasSuffix("…:****"))
        #expect(report.verification == nil)
    }

    @Test func aManifestMD5SkipsHashingAndABadOneIsCaughtByIAAndReread() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let good = pattern(5_000, seed: 20), other = pattern(6_000, seed: 21)
        let item = try h.makeItem("manifest-item", files: ["good.bin": good, "wrong.bin": other])
        func fileInfo(_ name: String) throws -> (size: Int64, mtime: Int64) {
            var info = stat()
            #expect(lstat(item + "/" + name, &info) == 0)
            return (Int64(info.st_size), Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
        }
        let (goodSize, goodTime) = try fileInfo("good.bin"), (otherSize, otherTime) = try fileInfo("wrong.bin")
        let manifest = """
            {"format": 1, "files": [
              {"name": "good.bin", "size": \(goodSize), "mtime": \(goodTime), "md5": "\(MD5.hex(of: good))"},
              {"name": "wrong.bin", "size": \(otherSize), "mtime": \(otherTime), "md5": "\(String(repeating: "0", count: 32))"}
            ]}
            """
        try FileManager.default.createDirectory(
            atPath: item + "/.mapillary-archiver", withIntermediateDirectories: true)
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: item + "/.mapillary-archiver/manifest.json"))
        let hashed = Mutex<Set<String>>([])
        let uploader = h.uploader { progress in
            if progress.stage == .hashing, let file = progress.file { hashed.withLock { _ = $0.insert(file) } }
        }
        let report = try await uploader.upload(itemPath: item, options: fastOptions())
        #expect(report.verification?.isComplete == true)
        #expect(h.ia.counters.badDigests == 1)
        #expect(h.ia.item("manifest-item")?.files["wrong.bin"]?.md5 == MD5.hex(of: other))
        #expect(!hashed.withLock { $0.contains("good.bin") })
    }
}
