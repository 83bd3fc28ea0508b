import Essentials
import Foundation
import HTTPClientKit
import HTTPServerKit
import InternetArchive
import Logging
import Testing
import TestSupport

/// An IAS3 that quotes the Authorization header back in its errors, in every form: no form of the secret key
/// reaches the error sentence or a log line.
@Suite struct SecretEchoTests {
    static let secret = "sEcReT|Key-42xyz-0123abcd"

    @Test func anErrorThatEchoesTheSecretKeyShowsItMasked() async throws {
        let echo = try HTTPServer { request, response in
            let authorization = request.header("Authorization") ?? ""
            let encoded = PercentEncoding.encode(authorization)
            let text =
                "<Error><Code>InvalidArgument \(Self.secret.uppercased())</Code><Message>cannot parse \(authorization); "
                + "as sent: \(encoded) or \(encoded.lowercased())</Message><Resource>key part \(Self.secret)</Resource></Error>"
            response.send(status: 400, headers: [("Content-Type", "application/xml")], body: Array(text.utf8))
        }
        defer { echo.stop() }
        let temp = try TemporaryDirectory("ia-echo")
        defer { temp.remove() }
        let item = temp.file("echo-test-item")
        try FileManager.default.createDirectory(atPath: item, withIntermediateDirectories: true)
        try Data("hello".utf8).write(to: URL(fileURLWithPath: item + "/a.txt"))
        let http = HTTPClient()
        defer { http.shutdown() }
        let lines = CapturingLogHandler.Store()
        let uploader = ItemUploader(
            credentials: try IACredentials(accessKey: "AKEY1234", secretKey: Self.secret),
            endpoints: IAEndpoints(s3: echo.baseURL, archive: echo.baseURL), http: http,
            logger: Logger(label: "echo") { _ in CapturingLogHandler(store: lines) })
        var options = fastOptions()
        options.checkRemote = false
        options.verify = false
        let error = await #expect(throws: InternetArchiveError.self) {
            try await uploader.upload(itemPath: item, options: options)
        }
        let sentence = error?.description ?? ""
        #expect(sentence.contains("IA refused the upload of a.txt with HTTP 400 InvalidArgument ****"), "\(sentence)")
        #expect(sentence.contains("key part ****"), "\(sentence)")
        let shown = [sentence] + lines.lines.withLock { $0 }
        let forms = [Self.secret, PercentEncoding.encode(Self.secret), "Key-42xyz-0123abcd"]
        for text in shown {
            for form in forms {
                #expect(!text.lowercased().contains(form.lowercased()), "\(form) shows in: \(text)")
            }
        }
    }

    @Test func aSecretAcrossTheScansChunkBoundaryIsFoundOnItsLine() async throws {
        let h = try IAHarness()
        defer { h.close() }
        // 1 MiB is the scan's chunk: the secret starts 5 bytes before its end.
        let line = Array(repeating: UInt8(ascii: "x"), count: 1023) + [10]
        var log = Array(Array(repeating: line, count: 1023).joined()) + Array(repeating: UInt8(ascii: "y"), count: 1019)
        log += Array("key \(h.ia.secretKey.lowercased()) end\n".utf8)
        let item = try h.makeItem(
            "chunk-test-item", files: ["a.txt": Array("a".utf8), "download.log.20240101-000000": log])
        var options = fastOptions()
        options.dryRun = true
        let error = await #expect(throws: InternetArchiveError.self) {
            try await h.uploader().upload(itemPath: item, options: options)
        }
        #expect(error?.code == .secretInItem)
        #expect(
            error?.description.hasPrefix(
                "line 1024 of download.log.20240101-000000 in item chunk-test-item holds a secret") == true,
            "\(error?.description ?? "")")
    }

    @Test func theMaskHidesEveryFormOfAToken() {
        let token = "MLY|4242|AbCdEf0123456789"
        let mask = SecretMask([token], marker: "‹token›")
        let text =
            "raw \(token), upper MLY%7C4242%7CAbCdEf0123456789, lower mly%7c4242%7cabcdef0123456789, "
            + "mixed MLY%7c4242%7CAbCdEf0123456789, alone AbCdEf0123456789, shouted ABCDEF0123456789."
        let masked = mask.masking(text)
        #expect(masked == "raw ‹token›, upper ‹token›, lower ‹token›, mixed ‹token›, alone ‹token›, shouted ‹token›.")
        #expect(mask.reveals(text) && !mask.reveals(masked))
        #expect(
            !"\(mask)".contains("AbCdEf") && !String(reflecting: mask).contains("AbCdEf"),
            "the mask never prints its secrets")
        #expect(SecretMask(["abc"]).masking("abc") == "abc", "forms shorter than four bytes are left alone")
        #expect(
            SecretMask(["MLY|9|rejected"]).masking("the token was rejected") == "the token was rejected",
            "a short part after the last | is no secret on its own")
        let both = mask.merging(SecretMask(["s3cretKEY"], marker: "****"))
        #expect(
            both.masking("token \(token) key S3CRETkey") == "token ‹token› key ****", "each secret keeps its marker")
    }
}
