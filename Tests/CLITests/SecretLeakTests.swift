import Foundation
import SandboxKit
import Testing
import TestSupport

/// The sandbox's Graph API echoes the token in every form (`echoTokenInErrors`); no form reaches the console,
/// a log file, the state, the summary or a published item.
@Suite(.timeLimit(.minutes(3)))
struct SecretLeakTests {
    /// The forms a careless API echoes a secret in: raw, percent-encoded in both cases, the part after the last `|`.
    static func forms(of secret: String) -> [String] {
        let upper = secret.replacingOccurrences(of: "|", with: "%7C")
        let part = secret.split(separator: "|").last.map(String.init) ?? secret
        return [secret, upper, upper.lowercased(), upper.replacingOccurrences(of: "%7C", with: "%7c"), part]
    }

    /// Every file below `folder` (and the texts given) searched for every form, ignoring ASCII case.
    static func leaks(of secret: String, below folder: String?, texts: [String] = []) throws -> [String] {
        let needles = forms(of: secret).map { Array($0.lowercased().utf8) }
        func holds(_ bytes: [UInt8]) -> Bool {
            let lowered = bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
            return needles.contains { needle in
                lowered.count >= needle.count
                    && (0...(lowered.count - needle.count)).contains {
                        lowered[$0..<($0 + needle.count)].elementsEqual(needle)
                    }
            }
        }
        var found: [String] = []
        for (index, text) in texts.enumerated() where holds(Array(text.utf8)) { found.append("text \(index)") }
        let enumerator = folder.flatMap { FileManager.default.enumerator(atPath: $0) }
        while let relative = enumerator?.nextObject() as? String, let folder {
            let path = folder + "/" + relative
            guard let bytes = FileManager.default.contents(atPath: path), holds(Array(bytes)) else { continue }
            found.append(relative)
        }
        return found
    }

    @Test func transientErrorsEchoingTheTokenAreLoggedMaskedAndThePublishedItemIsClean() async throws {
        // Expired listing URLs make every image ask the API for a fresh one, and the API's rate limit answers many
        // of those with a 429 whose message echoes the token; each is retried and logged (with --debug).
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 16)]) {
            $0.echoTokenInErrors = true
            $0.urlLifetime = .zero
            $0.rateLimitEvery = 4
        }
        defer { h.close() }
        let result = try await h.download(["alice", "--upload", "--concurrency", "8"], ["--debug"])
        #expect(result.status == 0, "\(result.transcript)")
        try #require(h.mapillary.counters.rateLimited > 0, "the sandbox answered errors that echo the token")
        let logs = try FileManager.default.contentsOfDirectory(atPath: h.item("alice")).filter {
            $0.hasPrefix("download.log.")
        }
        let log = try String(contentsOfFile: h.item("alice") + "/" + #require(logs.first), encoding: .utf8)
        #expect(log.contains("‹token›"), "the echoed messages were logged, masked")
        // Everything: stdout, stderr, the item, the staging folders, the state, and what IA stored.
        let leaks = try Self.leaks(of: h.mapillary.token, below: h.temp.path, texts: [result.stdout, result.stderr])
        #expect(leaks.isEmpty, "the token leaked into \(leaks)")
        #expect(
            h.ia.item("mapillary-alice-256-webp")?.files.keys.contains { $0.hasPrefix("download.log.") } == true,
            "the log was published")
    }

    @Test func aRejectedTokenEchoedInEveryFormIsNeverShown() async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 4)]) { $0.echoTokenInErrors = true }
        defer { h.close() }
        let wrong = "MLY|4242|WrongSecretPart0123456789abcdef"
        let result = try await h.download(["alice", "--token", wrong])
        #expect(result.status == 1, "\(result.transcript)")
        #expect(
            result.stdout.contains(
                "FAILED: the Mapillary token was rejected (Invalid OAuth access token - Cannot parse access token [token ‹token›; url-encoded ‹token› or ‹token›; secret part ‹token›] (OAuthException, code 190))"
            ),
            "\(result.transcript)")
        let leaks = try Self.leaks(of: wrong, below: h.temp.path, texts: [result.stdout, result.stderr])
        #expect(leaks.isEmpty, "the token leaked into \(leaks)")
    }

    @Test func anItemWhoseLogHoldsASecretIsNeverUploaded() async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 4)])
        defer { h.close() }
        let download = try await h.download(["alice"])
        try #require(download.status == 0, "\(download.transcript)")
        let item = h.item("alice")
        let log = try #require(
            try FileManager.default.contentsOfDirectory(atPath: item).first { $0.hasPrefix("download.log.") })
        let original = try Data(contentsOf: URL(fileURLWithPath: item + "/" + log))
        let lines = String(decoding: original, as: UTF8.self).split(separator: "\n").count
        // A log written by an older version (or another tool) that quoted the secrets as the API echoed them.
        let echoed: [(secret: String, line: String)] = [
            (
                h.mapillary.token,
                "ERROR listing failed: bad token " + h.mapillary.token.replacingOccurrences(of: "|", with: "%7c")
            ),
            (h.ia.secretKey, "WARN  IA said: LOW " + h.ia.accessKey + ":" + h.ia.secretKey.uppercased()),
        ]
        for (index, leak) in echoed.enumerated() {
            try (original + Data((leak.line + "\n").utf8)).write(to: URL(fileURLWithPath: item + "/" + log))
            let result = try await h.run(["upload", item])
            #expect(result.status == 1, "\(index): \(result.transcript)")
            #expect(
                result.stdout.contains(
                    "failed: line \(lines + 1) of \(log) in item mapillary-alice-256-webp holds a secret (the IA secret key or the Mapillary token, in some form), and the item would be public; nothing was sent"
                ),
                "\(index): \(result.transcript)")
            #expect(!h.ia.requestLog().contains { $0.host == .s3 }, "\(index): nothing was sent to IAS3")
            #expect(
                try Self.leaks(of: leak.secret, below: nil, texts: [result.stdout, result.stderr]).isEmpty,
                "\(index): the refusal does not quote the secret")
        }
        try original.write(to: URL(fileURLWithPath: item + "/" + log))
        let clean = try await h.run(["upload", item])
        #expect(clean.status == 0, "\(clean.transcript)")
    }
}
