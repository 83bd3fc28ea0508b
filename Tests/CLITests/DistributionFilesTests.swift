import Foundation
import Testing
import TestSupport

/// What `make dist` ships beside the binary: man pages generated from the `--help` texts, and systemd units.
struct DistributionFilesTests {
    /// The package folder: this file is `Tests/CLITests/DistributionFilesTests.swift`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// swift-argument-parser's man page generator drops every character that is not ASCII, so such a help text
    /// would read differently in `man mapillary-archiver` than in `--help` ("0–100" became "0100").
    @Test func everyHelpTextReachesTheManPageWhole() throws {
        let result = try ExternalTool.run(BuiltBinary.path, ["--experimental-dump-help"])
        #expect(result.ok, "\(result.stderr)")
        var texts: [String] = []
        Self.collectStrings(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)), into: &texts)
        // The dump the generator reads holds every command's help, down to the options.
        #expect(texts.contains("Download contributors' images into Internet Archive items (the default command)."))
        #expect(texts.contains { $0.hasPrefix("WebP quality, 0-100") })
        let dropped = texts.filter { !$0.allSatisfy(\.isASCII) }
        #expect(dropped.isEmpty, "help texts the man page generator would cut (write them in ASCII): \(dropped)")
    }

    /// `systemd-analyze verify` reads the units as systemd would; a misspelt directive is only a warning to it,
    /// so its warnings count as failures too.
    @Test(.enabled(if: ExternalTool.isAvailable("systemd-analyze"), "needs systemd-analyze (Debian's systemd)"))
    func theSystemdUnitsPassSystemdAnalyzeVerify() throws {
        let temp = try TemporaryDirectory("units")
        defer { temp.remove() }
        let names = [
            "mapillary-archiver-download.service", "mapillary-archiver-download.timer",
            "mapillary-archiver-worker.service",
        ]
        for name in names {
            let unit = try String(contentsOfFile: Self.root + "/distribution/systemd/" + name, encoding: .utf8)
            // The units run the installed binary, which verify requires to exist: here, the one just built.
            try unit.replacingOccurrences(of: "/usr/bin/mapillary-archiver", with: BuiltBinary.path)
                .write(toFile: temp.file(name), atomically: true, encoding: .utf8)
        }
        let result = try ExternalTool.run("systemd-analyze", ["verify", "--man=no"] + names.map(temp.file))
        #expect(
            result.ok && result.stderr.isEmpty && result.stdout.isEmpty,
            "systemd-analyze verify: \(result.status)\n\(result.stdout)\(result.stderr)")
    }

    private static func collectStrings(_ value: Any, into texts: inout [String]) {
        switch value {
        case let text as String: texts.append(text)
        case let list as [Any]: list.forEach { collectStrings($0, into: &texts) }
        case let object as [String: Any]: object.values.forEach { collectStrings($0, into: &texts) }
        default: break
        }
    }
}
