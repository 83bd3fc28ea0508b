import Archiver
import Foundation
import HTTPServerKit
import Testing
import TestSupport

/// Untrusted API fields and CDN answers: refused and reported, the good images archived, nothing written
/// outside the item.
@Suite struct HostileInputTests {
    @Test(arguments: [true, false])
    func hostileRecordsAreRefusedAndLoggedAndNothingEscapesTheItem(tarred: Bool) async throws {
        let h = try DownloadHarness(users: [.init(name: "mallory", imageCount: 40, kind: .hostile)])
        defer { h.close() }
        var options = h.options(["mallory"])
        options.tar = tarred
        let report = await h.run(options)
        let item = h.item("mallory", options)
        let images = h.mapillary.expectedImages(user: "mallory")
        let unsafe = images.filter { $0.hostility?.makesRecordUnsafe == true }
        let missing = images.filter { $0.hostility == .missingRendition }
        try #require(unsafe.count >= 4 && missing.count >= 1)

        let user = try #require(report.users.first)
        #expect(user.outcome == .published(path: item))
        #expect(user.refused == unsafe.count)
        #expect(user.unavailable == missing.count)
        #expect(user.downloaded == images.count - unsafe.count - missing.count)
        #expect(
            user.failureReasons.map(\.reason) == [
                "image … has no 256 rendition on Mapillary (no thumb_256_url); try another --quality"
            ])
        let refusedLines = h.consoleLines.filter { $0.contains("mallory: refused a record from the API") }
        #expect(refusedLines.count == unsafe.count)
        #expect(refusedLines.allSatisfy { !$0.contains("\u{0}") }, "control characters never reach the log raw")

        // Every file under the test folder is the item's, the cache's or the sandbox's: nothing escaped.
        let root = URL(fileURLWithPath: h.temp.path).resolvingSymlinksInPath().path
        let walker = try #require(FileManager.default.enumerator(atPath: root))
        let identifier = options.identifier(for: "mallory")
        for case let path as String in walker where !path.hasPrefix("sandbox/") {
            let inside = ["output/" + identifier, "cache/" + identifier].contains {
                path == $0 || path.hasPrefix($0 + "/")
            }
            #expect(inside || ["output", "cache", "sandbox"].contains(path), "unexpected file \(path)")
            #expect(!path.split(separator: "/").contains("x"), "a traversal name was followed: \(path)")
        }
        let archived: [String]
        if tarred {
            archived = try await TarListing.members(item: item).map(\.name)
        } else {
            var names: [String] = []
            for case let path as String in FileManager.default.enumerator(atPath: item)! where path.hasSuffix(".webp") {
                names.append(path)
            }
            archived = names
        }
        let expected = images.filter(\.isArchivable).map { $0.memberName(ext: "webp") }
        #expect(archived.sorted() == expected.sorted())
        #expect(await h.verify(item) == [])
    }

    @Test func aCDNAnswerThatIsNotAJPEGIsRefusedAndNothingIsPublished() async throws {
        let h = try DownloadHarness(users: [
            .init(name: "nj", imageCount: 6, kind: .nonJPEG),
            .init(name: "alice", imageCount: 5),
        ])
        defer { h.close() }
        let options = h.options(["nj", "alice"])
        let report = await h.run(options)
        #expect(report.exitCode == 1)
        #expect(report.users[0].outcome == .noImages)
        #expect(report.users[0].unavailable == 6)
        #expect(report.users[0].failureReasons.count == 1)
        #expect(
            report.users[0].failureReasons.first?.reason.hasPrefix(
                "the CDN answered with something that is not a JPEG for image …") == true)
        #expect(report.users[0].failureReasons.first?.count == 6)
        #expect(report.users[1].outcome == .published(path: h.item("alice", options)))
        #expect(!FileManager.default.fileExists(atPath: h.item("nj", options)))
        #expect(report.table().contains("6 × the CDN answered with something that is not a JPEG"))
    }

    @Test func anAPIThatAnswersHTMLFailsTheUserWithOneSentence() async throws {
        let h = try DownloadHarness(users: [.init(name: "alice", imageCount: 5)])
        defer { h.close() }
        let html = try HTTPServer { _, response in
            response.send(
                status: 200, headers: [("Content-Type", "text/html")],
                body: Array("<html><body>Welcome to our portal</body></html>".utf8))
        }
        defer { html.stop() }
        var options = h.options(["alice", "bob"])
        options.apiURL = html.baseURL
        let report = await h.run(options)
        #expect(report.exitCode == 1)
        let reasons = report.users.map { user -> String in
            if case .failed(let reason) = user.outcome { return reason }
            return "not failed"
        }
        #expect(
            reasons.allSatisfy {
                $0
                    == "the Mapillary API answered with something that is not JSON (HTTP 200, content-type text/html); check --api-url"
            },
            "\(reasons)")
        #expect(!FileManager.default.fileExists(atPath: h.output + "/" + options.identifier(for: "alice")))
    }
}

/// A library caller (a campaign worker) gets the same checks as the command line: `DownloadBatch` refuses a bad
/// username before any request.
@Suite struct BatchInputTests {
    @Test(arguments: ["", "eve\nINFO  forged line", "eve\u{202E}gnp.exe"])
    func aBatchWithAnUnusableUsernameStartsNoUser(_ name: String) async throws {
        let h = try DownloadHarness(users: [.init(name: "alice", imageCount: 3)])
        defer { h.close() }
        let report = await h.run(h.options(["alice", name]))
        #expect(report.users.count == 2 && report.exitCode == 1)
        for user in report.users {
            guard case .failed(let reason) = user.outcome else {
                Issue.record("\(user.user): \(user.outcome)")
                continue
            }
            #expect(reason.hasPrefix("not started: ") && reason.contains("username"), "\(reason)")
        }
        #expect(h.mapillary.requestLog().isEmpty, "no request was made")
        let lines = h.consoleLines.joined(separator: "\n").split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("INFO  forged") }, "no forged line reached the console")
    }
}
