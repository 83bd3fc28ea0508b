import Foundation
import Testing
import TestSupport

/// docs/troubleshooting.md must explain every sentence the tool can print: scripts/check-troubleshooting.py
/// extracts the sentences from the Swift sources and looks each one up in the document.
@Suite(.enabled(if: ExternalTool.isAvailable("python3"), "needs python3"))
struct TroubleshootingDocTests {
    /// The package folder: this file is `Tests/CLITests/TroubleshootingDocTests.swift`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let script = root + "/scripts/check-troubleshooting.py"

    @Test func everyErrorSentenceIsInTheTroubleshootingDoc() throws {
        let result = try ExternalTool.run("python3", [Self.script, "--root", Self.root])
        #expect(result.status == 0, "missing from docs/troubleshooting.md:\n\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("messages are documented"))
    }

    @Test func aSentenceMissingFromTheDocIsReported() throws {
        let folder = try TemporaryDirectory("troubleshooting")
        defer { folder.remove() }
        let doc = try String(contentsOfFile: Self.root + "/docs/troubleshooting.md", encoding: .utf8)
        let sentence = "another mapillary-archiver process is already working on"
        let trimmed = doc.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains(sentence) }.joined(separator: "\n")
        #expect(trimmed.count < doc.count)
        try trimmed.write(toFile: folder.file("troubleshooting.md"), atomically: true, encoding: .utf8)

        let result = try ExternalTool.run(
            "python3", [Self.script, "--root", Self.root, "--doc", folder.file("troubleshooting.md")])
        #expect(result.status == 1)
        #expect(result.stdout.contains("Sources/Archiver/State/StagingLock.swift"))
        #expect(result.stdout.contains(sentence))
    }
}
