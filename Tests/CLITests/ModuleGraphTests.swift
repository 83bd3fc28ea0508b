import Foundation
import Testing
import TestSupport

/// Package.swift's dependencies are the module graph a contributor reads: scripts/check-imports.py compares them
/// with the `import` lines of every target, tests and executables included.
@Suite(.enabled(if: ExternalTool.isAvailable("python3"), "needs python3"))
struct ModuleGraphTests {
    /// The package folder: this file is `Tests/CLITests/ModuleGraphTests.swift`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let script = root + "/scripts/check-imports.py"

    @Test func everyTargetDeclaresExactlyWhatItImports() throws {
        let result = try ExternalTool.run("python3", [Self.script, "--root", Self.root])
        #expect(result.status == 0, "Package.swift and the imports differ:\n\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("every target's declared dependencies are its imports"))
    }

    @Test func aMissingAndAnUnusedDependencyAreBothReported() throws {
        let folder = try TemporaryDirectory("module-graph")
        defer { folder.remove() }
        let manifest = try String(contentsOfFile: Self.root + "/Package.swift", encoding: .utf8)
        // HTTPClientKit loses CCurl, which it imports; Imaging gains SQLiteStore, which it does not.
        let edited =
            manifest
            .replacingOccurrences(
                of: #".target(name: "HTTPClientKit", dependencies: ["CCurl", "Essentials"]"#,
                with: #".target(name: "HTTPClientKit", dependencies: ["Essentials"]"#
            )
            .replacingOccurrences(
                of: #".target(name: "Imaging", dependencies: ["CTurboJPEG", "CWebP", "Essentials"]"#,
                with: #".target(name: "Imaging", dependencies: ["CTurboJPEG", "CWebP", "Essentials", "SQLiteStore"]"#)
        #expect(edited.count == manifest.count - #""CCurl", "#.count + #", "SQLiteStore""#.count, "both edits applied")
        try edited.write(toFile: folder.file("Package.swift"), atomically: true, encoding: .utf8)

        let result = try ExternalTool.run(
            "python3", [Self.script, "--root", Self.root, "--manifest", folder.file("Package.swift")])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.contains {
                $0.hasPrefix("HTTPClientKit imports CCurl (Sources/HTTPClientKit/")
                    && $0.hasSuffix("but Package.swift does not declare it")
            })
        #expect(
            lines.contains("Imaging declares SQLiteStore in Package.swift but no file of Sources/Imaging imports it"))
        #expect(lines.last == "2 difference(s) between Package.swift and the imports")
    }
}
