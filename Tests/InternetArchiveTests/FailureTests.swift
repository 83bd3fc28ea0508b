import Essentials
import Foundation
import HTTPServerKit
import InternetArchive
import SandboxKit
import Synchronization
import Testing
import TestSupport

@Suite struct FailureTests {
    @Test func slowDownBurstsOverLimitChecksResetsAnd500sAllEndVerified() async throws {
        let h = try IAHarness { ia in
            ia.slowDownBurst = 3
            ia.overLimitChecks = 2
            ia.faultRate = 0.1
        }
        defer { h.close() }
        var files: [String: [UInt8]] = ["big.tar": pattern(200_000, seed: 40)]
        for i in 0..<12 { files["f\(i).bin"] = pattern(3_000 + i * 500, seed: UInt8(41 + i)) }
        let item = try h.makeItem("stormy-weather", files: files, meta: [("title", ["Storm"])])

        let notes = Mutex<[String]>([])
        let uploader = h.uploader { progress in
            if let note = progress.note { notes.withLock { $0.append(note) } }
        }
        let report = try await uploader.upload(itemPath: item, options: fastOptions())

        #expect(notes.withLock { $0.contains { $0.hasPrefix("IA is over its limit, waiting") } })
        #expect(notes.withLock { $0.contains { $0.contains("retrying") } })
        let logged = h.logs.lines.withLock { $0 }
        #expect(logged.contains { $0.contains("retrying") })
        #expect(!logged.contains { $0.contains(IAHarness.account.secretKey) })
        #expect(report.uploaded.count == files.count)
        #expect(report.verification?.isComplete == true)
        let stored = try #require(h.ia.item("stormy-weather"))
        for (name, bytes) in files { #expect(stored.files[name]?.md5 == MD5.hex(of: bytes), "\(name)") }
        let counters = h.ia.counters
        #expect(counters.slowDowns >= 3)
        #expect(counters.overLimitAnswers == 2)
        #expect(counters.resets + counters.injected500s > 0)
        #expect(report.retries >= 3 + 2)
        // check_limit is asked without credentials, with the access key and bucket, as the ia client does.
        let checks = h.ia.requestLog().filter { $0.queryValue("check_limit") == "1" }
        #expect(!checks.isEmpty)
        #expect(
            checks.allSatisfy {
                $0.header("authorization") == nil && $0.queryValue("accesskey") == h.ia.accessKey
                    && $0.queryValue("bucket") == "stormy-weather"
            })
    }

    @Test func theSpamVerdictStopsTheItemAtOnceWithIAsMessage() async throws {
        let h = try IAHarness { $0.spamIdentifiers = ["suspicious-item"] }
        defer { h.close() }
        let item = try h.makeItem("suspicious-item", files: ["a": pattern(10), "b": pattern(11)])
        let error = try await expectFailure(h, item)
        #expect(error.code == .spam)
        #expect(error.description.contains("appears to be spam"))
        #expect(error.description.contains("info@archive.org"))
        #expect(h.bodyRequests().count == 1)
        #expect(h.ia.counters.checkLimitCalls == 0)
    }

    @Test func anUnknownAccessKeyEndsWithASentenceAndSendsNoBody() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let item = try h.makeItem("bad-keys-item", files: ["a": pattern(50_000)])
        let wrong = try IACredentials(accessKey: "WRONGaccessKEY99", secretKey: "not-the-secret")
        let error = try await expectFailure(h, item, credentials: wrong)
        #expect(!h.logs.lines.withLock { $0 }.contains { $0.contains("not-the-secret") })
        #expect(error.code == .accessKeyRejected)
        #expect(error.description.contains("--access-key / IA_ACCESS_KEY_ID / ia.ini"))
        #expect(!error.description.contains("not-the-secret"))
        #expect(h.ia.totalBytesReceived == 0)
    }

    @Test func anInvalidIdentifierFailsBeforeAnyRequest() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let item = try h.makeItem("ab", files: ["a": pattern(10)])
        let error = try await expectFailure(h, item)
        #expect(error.code == .invalidIdentifier)
        #expect(error.description.contains("too short"))
        #expect(h.ia.requestLog().isEmpty)
    }

    @Test func anIdentifierIARefusesEndsWithIAsReason() async throws {
        let h = try IAHarness { $0.rejectUpperCaseIdentifiers = true }
        defer { h.close() }
        let item = try h.makeItem("Mapillary-Upper-Case", files: ["a": pattern(40_000)])
        let error = try await expectFailure(h, item)
        #expect(error.code == .invalidIdentifier)
        #expect(error.description.contains("The specified bucket is not valid"))
        #expect(error.description.contains("rename the item folder"))
        #expect(h.ia.totalBytesReceived == 0)
    }

    @Test func someoneElsesItemEndsWithASentence() async throws {
        let h = try IAHarness { $0.items = [.init(identifier: "taken-item", metadata: ["title": ["Theirs"]])] }
        defer { h.close() }
        let item = try h.makeItem("taken-item", files: ["a": pattern(30_000)])
        let error = try await expectFailure(h, item)
        #expect(error.code == .accessDenied)
        #expect(error.description.contains("belongs to another account"))
        #expect(h.ia.totalBytesReceived == 0)
    }

    @Test func anItemOverIAsSizeLimitEndsWithIAsText() async throws {
        let h = try IAHarness { $0.maxItemSize = 1000 }
        defer { h.close() }
        let item = try h.makeItem("too-big-item", files: ["a": pattern(600), "b": pattern(600)])
        let error = try await expectFailure(h, item)
        #expect(error.code == .accessDenied)
        #expect(error.description.contains("over the per item size limit of 1000"))
    }

    @Test func aServerThatKeepsFailingEndsWithASentenceAfterTheRetries() async throws {
        let h = try IAHarness { $0.faultRate = 1 }
        defer { h.close() }
        let item = try h.makeItem("always-failing", files: ["a": pattern(100)])
        var options = fastOptions()
        options.retry.maxAttempts = 4
        options.checkRemote = false
        let error = try await expectFailure(h, item, options: options)
        #expect(error.code == .serverFailed || error.code == .network)
        #expect(error.description.contains("after 4 attempts"))
    }

    @Test func aSlowDownThatOutlastsTheAllowedWaitFailsTheItem() async throws {
        let h = try IAHarness { ia in
            ia.slowDownBurst = 1
            ia.overLimitChecks = 1_000
        }
        defer { h.close() }
        let item = try h.makeItem("busy-busy", files: ["a": pattern(100)])
        var options = fastOptions()
        options.slowDownMaxWait = .milliseconds(100)
        let error = try await expectFailure(h, item, options: options)
        #expect(error.code == .overloaded)
        #expect(error.description.contains("over its limit"))
    }

    /// Found by the parser-fuzz target `ia-answer`: a combining mark right after an escaped character (`&quot;` and
    /// U+0742) made one character of the `;` and the mark, and the reference stayed in IA's message as written.
    @Test func referencesBeforeACombiningMarkAreStillDecoded() async throws {
        let error = try await refusal(
            item: "combining-marks",
            answer: "<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>InvalidArgument</Code>"
                + "<Message>the title &quot;\u{742}Caf&#x65;&#769;&quot; &amp;\u{301} more</Message></Error>")
        #expect(error?.code == .rejected)
        let sentence = error?.description ?? ""
        #expect(sentence.contains("the title \"\u{742}Cafe\u{301}\" &\u{301} more"), "\(sentence)")
        #expect(!sentence.contains("&quot;") && !sentence.contains("&amp;"), "\(sentence)")
    }

    /// Found by fuzzing (`parser-fuzz ia-answer`): the `<Code>` of an IAS3 error went into the sentence (and the
    /// retry log lines) as IA sent it, line breaks and terminal escapes included.
    @Test func anErrorCodeWithControlCharactersStillEndsInOneLine() async throws {
        let error = try await refusal(
            item: "odd-error-code",
            answer: "<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>Invalid\nArgument\r\u{1B}[2J</Code>"
                + "<Message>x-archive-simulate-error knows: SlowDown</Message></Error>")
        #expect(error?.code == .rejected)
        let sentence = error?.description ?? ""
        #expect(sentence.contains("HTTP 400 Invalid Argument"), "\(sentence)")
        #expect(!sentence.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(sentence)")
    }

    /// Uploads a one-file item to an IAS3 stand-in that answers every request 400 with `answer`; the refusal the
    /// upload ends with (a success is recorded as an issue and gives nil).
    func refusal(item name: String, answer: String) async throws -> InternetArchiveError? {
        let h = try IAHarness()
        defer { h.close() }
        let s3 = try HTTPServer { _, response in
            response.send(status: 400, headers: [("Content-Type", "application/xml")], body: Array(answer.utf8))
        }
        defer { s3.stop() }
        let item = try h.makeItem(name, files: ["a": pattern(10)])
        var options = fastOptions()
        options.checkRemote = false
        let uploader = ItemUploader(
            credentials: h.credentials, endpoints: IAEndpoints(s3: s3.baseURL, archive: h.ia.archiveURL),
            http: h.http)
        do {
            let report = try await uploader.upload(itemPath: item, options: options)
            Issue.record("the upload succeeded: \(report.uploaded)")
            return nil
        } catch let error as InternetArchiveError {
            return error
        }
    }

    func expectFailure(
        _ h: IAHarness, _ item: String, credentials: IACredentials? = nil,
        options: UploadOptions = fastOptions()
    ) async throws -> InternetArchiveError {
        do {
            let report = try await h.uploader(credentials: credentials).upload(itemPath: item, options: options)
            Issue.record("the upload succeeded: \(report.uploaded)")
            throw CancellationError()
        } catch let error as InternetArchiveError {
            #expect(!error.description.contains("\n"))
            return error
        }
    }
}
