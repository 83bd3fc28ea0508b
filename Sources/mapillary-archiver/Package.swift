import ArgumentParser
import Archiver
import Essentials
import Foundation
import Packaging

struct Package: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn any folder into an Internet Archive item (tars, .meta, thumbnail, manifest).",
        discussion: """
            The item is written to OUTPUT/IDENTIFIER and appears there in one rename; the input folder is left untouched. The Python tool's --no-tar output (YYYY-MM-DD/ and unknown-date/ folders) becomes one tar per date; other folders get one tar per top-level folder (--tar-by top-level) or none (--tar-by none). Files beside those folders (metadata.jsonl.gz, logs, the thumbnail) are carried as they are. Tars are deterministic: the same input gives byte-identical tars. An existing .meta/ in the input is kept (with --meta overrides); otherwise the metadata comes from the templates (docs/templates.md). Top-level dot entries of the input other than .meta are not carried.
            """)

    @Argument(help: ArgumentHelp("The folder to package.", valueName: "dir"))
    var directory: String

    @Option(help: ArgumentHelp("Where the item folder is created.", valueName: "dir"))
    var output = "."

    @Option(
        help: ArgumentHelp(
            "The IA identifier (default: the folder's name as given, so a symbolic link's own name).", valueName: "id"))
    var identifier: String?

    @Option(
        help: ArgumentHelp(
            "How files are grouped into tars. Default: date when the folder has date folders, else top-level.",
            valueName: "grouping"))
    var tarBy: Choice<TarGrouping>?

    @Option(help: ArgumentHelp("Set an item metadata key (repeat a key to make a list).", valueName: "key=value"))
    var meta: [String] = []

    @Option(help: ArgumentHelp("Folder of item metadata templates (rip .meta layout).", valueName: "dir"))
    var templateDir: String?

    @OptionGroup var logging: OutputOptions

    func validate() throws {
        _ = try tarBy?.value(of: "--tar-by")
        _ = try CommandSupport.metaOverrides(meta)
    }

    func run() async throws {
        let grouping = try tarBy?.value(of: "--tar-by")
        let overrides = try CommandSupport.metaOverrides(meta)
        try CommandSupport.checkTemplates(templateDir)
        let env = logging.environment()
        defer { env.shutdown() }
        let console = env.console
        let started = Date()
        let options = PackageOptions(
            output: output, identifier: identifier, tarBy: grouping, metaOverrides: overrides,
            templateDirectory: templateDir,
            progress: { p in
                let elapsed = max(0.001, Date().timeIntervalSince(started))
                console.status(
                    "package",
                    "packaging  \(p.filesDone)/\(p.filesTotal) files  \(ByteFormat.size(p.bytesDone))/\(ByteFormat.size(p.bytesTotal))  \(ByteFormat.size(Int64(Double(p.bytesDone) / elapsed)))/s"
                )
            })
        do {
            let result = try await FolderPackager.package(directory, options: options)
            console.clearAllStatus()
            for note in result.notes { env.logger.notice("\(note)") }
            print(
                "packaged \(result.imageCount) images into \(result.item) (\(result.tars.count) tars, \(ByteFormat.duration(seconds: Date().timeIntervalSince(started))))"
            )
        } catch {
            console.clearAllStatus()
            throw ArchiverError(.publish, "\(error)")
        }
    }
}
