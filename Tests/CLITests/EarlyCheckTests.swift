import Foundation
import SandboxKit
import Testing
import TestSupport

/// Inputs that used to fail only after every image was downloaded (or not at all) are refused before the first
/// request, with one sentence and exit 2, by the same rule the later stage applies.
@Suite(.timeLimit(.minutes(3)))
struct EarlyCheckTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// Arguments; `ROOT` is replaced by the test's folder.
        let arguments: [String]
        let environment: [String: String]
        let sentence: String
        var testDescription: String { name }

        init(_ name: String, _ arguments: [String], environment: [String: String] = [:], sentence: String) {
            self.name = name
            self.arguments = arguments
            self.environment = environment
            self.sentence = sentence
        }
    }

    static let cases: [Case] = [
        .init(
            "a NUL in a --template-dir value", ["alice", "--template-dir", "ROOT/nul-templates"],
            sentence: "ROOT/nul-templates/title/0: contains a NUL byte, which IA cannot store; remove it"),
        .init(
            "a NUL in the MAPILLARY_ARCHIVER_TEMPLATES folder", ["alice"],
            environment: ["MAPILLARY_ARCHIVER_TEMPLATES": "ROOT/nul-templates"],
            sentence: "ROOT/nul-templates/title/0: contains a NUL byte, which IA cannot store; remove it"),
        .init(
            "a bidi override in --users-file", ["--users-file", "ROOT/users.txt"],
            sentence:
                "the users file ROOT/users.txt, line 3: the username \"eve\\u{202e}gnp.exe\" contains the control or formatting character U+202E at position 4; a username is one line of plain text, so check where it came from"
        ),
        .init(
            "--output below a file", ["alice", "--output", "ROOT/a-file/items"],
            sentence:
                "--output ROOT/a-file/items cannot be written (could not use the folder ROOT/a-file/items: Not a directory); give a folder you can write to"
        ),
        .init(
            "--cache-dir below a file", ["alice", "--cache-dir", "ROOT/a-file/cache"],
            sentence:
                "--cache-dir ROOT/a-file/cache cannot be written (could not use the folder ROOT/a-file/cache: Not a directory); give a folder you can write to"
        ),
        .init(
            "package --meta with a digit first",
            ["package", "ROOT/photos", "--meta", "1abc=v", "--output", "ROOT/packaged"],
            sentence:
                "the metadata key '1abc' is not allowed; start it with a letter and use only letters, digits, '.', '_' and '-'"
        ),
        .init(
            "upload --part-size 0", ["upload", "ROOT/photos", "--part-size", "0"],
            sentence:
                "the part size (0 MiB) is outside S3's limits of 5 MiB to 5 GiB per part; give --part-size between 5 and 5120 (MiB)"
        ),
        .init(
            "upload --multipart-threshold past 5 GiB", ["upload", "ROOT/photos", "--multipart-threshold", "5121"],
            sentence:
                "the multipart threshold (5121 MiB) is outside 0 to 5 GiB (the most one PUT may carry); give --multipart-threshold between 0 and 5120 (MiB)"
        ),
    ]

    @Test(arguments: cases)
    func refusedBeforeAnyRequest(_ c: Case) async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 6)])
        defer { h.close() }
        let root = h.temp.path
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/nul-templates/title", withIntermediateDirectories: true)
        try Data("Mapillary images by {user}\u{0}".utf8).write(
            to: URL(fileURLWithPath: root + "/nul-templates/title/0"))
        try Data("# team\nalice\neve\u{202E}gnp.exe\n".utf8).write(to: URL(fileURLWithPath: root + "/users.txt"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/a-file"))
        try fm.createDirectory(atPath: root + "/photos", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/photos/a.txt"))

        var environment = h.environment
        for (name, value) in c.environment { environment[name] = value.replacingOccurrences(of: "ROOT", with: root) }
        let arguments = c.arguments.map { $0.replacingOccurrences(of: "ROOT", with: root) }
        let run = try BinaryProcess(
            arguments: arguments
                + (arguments.first == "package" || arguments.first == "upload"
                    || arguments.contains("--output") ? [] : ["--output", h.output]),
            environment: environment, outputPrefix: h.temp.file("run"), currentDirectory: root)
        let result = await run.wait(timeout: .seconds(60))
        #expect(result.status == 2, "\(result.transcript)")
        let first = result.stderr.split(separator: "\n").first.map(String.init)
        #expect(first == "error: " + c.sentence.replacingOccurrences(of: "ROOT", with: root), "\(result.stderr)")
        #expect(h.mapillary.requestLog().isEmpty, "no request reached Mapillary")
        #expect(h.ia.requestLog().isEmpty, "no request reached IA")
        #expect(!fm.fileExists(atPath: h.output) && !fm.fileExists(atPath: root + "/packaged"), "nothing was made")
    }

    @Test func verifyFindsAMetadataKeyUploadWouldRefuse() async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 4)])
        defer { h.close() }
        let download = try await h.download(["alice"])
        try #require(download.status == 0, "\(download.transcript)")
        let key = h.item("alice") + "/.meta/1abc"
        try FileManager.default.createDirectory(atPath: key, withIntermediateDirectories: true)
        try Data("v".utf8).write(to: URL(fileURLWithPath: key + "/0"))
        let verify = try await h.verify(h.item("alice"))
        #expect(verify.status == 1, "\(verify.transcript)")
        #expect(
            verify.stdout.contains(
                "\(key): '1abc' is not a valid key name (start it with a letter and use only letters, digits, '.', '_' and '-')"
            ),
            "\(verify.transcript)")
    }

    /// Needs root (to mount a read-only tmpfs); skipped elsewhere.
    @Test(.enabled(if: getuid() == 0)) func aReadOnlyOutputIsRefusedBeforeAnyDownload() async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 6)])
        defer { h.close() }
        let readOnly = h.temp.file("ro")
        let disk = try SmallDisk(at: readOnly, kilobytes: 1024)
        defer { disk.unmount() }
        try disk.makeReadOnly()
        let result = try await h.run(["alice", "--quality", "256", "--output", readOnly + "/items"])
        #expect(result.status == 2, "\(result.transcript)")
        #expect(
            result.stderr.hasPrefix(
                "error: --output \(readOnly)/items cannot be written (could not create files in \(readOnly): Read-only file system); give a folder you can write to"
            ),
            "\(result.transcript)")
        #expect(h.mapillary.requestLog().isEmpty, "no image was downloaded first")
    }
}
