import Foundation
import SandboxKit
import Testing
import TestSupport

/// `verify --remote` without IA keys reads the metadata API anonymously: no Authorization header at all.
@Suite struct VerifyRemoteTests {
    @Test func withoutKeysNoAuthorizationHeaderIsSentAndAPublicItemVerifies() async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 5)])
        defer { h.close() }
        let upload = try await h.download(["alice", "--upload"])
        try #require(upload.status == 0, "\(upload.transcript)")
        h.ia.clearRequestLog()
        var environment = h.environment
        environment["IA_ACCESS_KEY_ID"] = nil
        environment["IA_SECRET_ACCESS_KEY"] = nil
        let run = try BinaryProcess(
            arguments: ["verify", "--remote", h.item("alice")], environment: environment,
            outputPrefix: h.temp.file("verify"), currentDirectory: h.temp.path)
        let result = await run.wait(timeout: .seconds(60))
        #expect(result.status == 0, "\(result.transcript)")
        #expect(
            result.stdout.contains("OK (and every file is on the Internet Archive with the same md5)"),
            "\(result.transcript)")
        let requests = h.ia.requestLog()
        #expect(!requests.isEmpty && requests.allSatisfy { $0.host == .archive }, "only the metadata API was asked")
        let authorized = requests.compactMap { $0.header("Authorization") }
        #expect(authorized.isEmpty, "sent: \(authorized)")
    }
}
