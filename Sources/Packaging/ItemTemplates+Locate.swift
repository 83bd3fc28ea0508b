import Essentials
import Foundation

extension ItemTemplates {
    /// The environment variable naming a templates folder.
    public static let environmentVariable = "MAPILLARY_ARCHIVER_TEMPLATES"

    /// The templates to use, found in this order: `templateDirectory` (`--template-dir`); the folder
    /// in `$MAPILLARY_ARCHIVER_TEMPLATES`; a `templates` folder next to or above the executable
    /// (`<repo>/templates` for `<repo>/.build/release/mapillary-archiver`, or
    /// `<prefix>/share/mapillary-archiver/templates` for `<prefix>/bin/mapillary-archiver`);
    /// else ``builtIn``. A folder named explicitly must be valid; a found one is skipped if it is not.
    public static func resolve(
        templateDirectory: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executablePath: String? = nil
    ) throws -> ItemTemplates {
        if let templateDirectory { return try load(from: templateDirectory) }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return try load(from: fromEnvironment)
        }
        for candidate in candidateFolders(executablePath: executablePath ?? currentExecutable()) {
            guard FileTree.kind(candidate, following: true) == .directory else { continue }
            if let templates = try? load(from: candidate) { return templates }
        }
        return builtIn
    }

    /// Folders searched beside the executable: its folder and up to three parents, each for
    /// `templates` and `share/mapillary-archiver/templates`.
    static func candidateFolders(executablePath: String?) -> [String] {
        guard let executablePath, let resolved = FileTree.realPath(executablePath) else { return [] }
        var out: [String] = []
        var folder = (resolved as NSString).deletingLastPathComponent
        for _ in 0..<4 {
            out.append(folder + "/templates")
            out.append(folder + "/share/mapillary-archiver/templates")
            let parent = (folder as NSString).deletingLastPathComponent
            if parent == folder || parent.isEmpty { break }
            folder = parent
        }
        return out
    }

    private static func currentExecutable() -> String? {
        #if os(Linux)
        if let path = FileTree.realPath("/proc/self/exe") { return path }
        #endif
        return CommandLine.arguments.first
    }
}
