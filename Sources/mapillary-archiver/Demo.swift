import ArgumentParser
import Archiver
import ArchiverDemo
import Foundation

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Run the whole toolkit offline against the sandbox: two contributors downloaded, packaged, uploaded, verified.",
        discussion: """
            Starts the sandbox in this process, archives two sample contributors end to end and prints what each step did. Everything goes into --dir (a new temp folder by default), which is kept so you can look at the items.
            """)

    @Option(help: ArgumentHelp("Folder for the demo's sandbox data, cache and items.", valueName: "dir"))
    var dir: String?

    @OptionGroup var logging: OutputOptions

    func run() async throws {
        let folder: String
        if let dir {
            folder = dir
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } else {
            var template = Array(
                (URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mapillary-archiver-demo-XXXXXX")
                    .path).utf8CString)
            guard let made = mkdtemp(&template) else {
                throw ArchiverError(.io, "could not create a temp folder for the demo")
            }
            folder = String(cString: made)
        }
        let env = logging.environment()
        defer { env.shutdown() }
        let status = try await DemoRun(folder: folder, env: env).run()
        if status != 0 { throw ExitCode(status) }
    }
}
