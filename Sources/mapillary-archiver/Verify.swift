import ArgumentParser
import Archiver
import Foundation
import InternetArchive
import Packaging

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Check an item: every tar reads to its end, members unique and matching metadata.jsonl.gz, .meta well-formed.",
        discussion: """
            Also checks that the folder name is a valid IA identifier, that every image the download state marks as done is in the item, and that the files match .mapillary-archiver/manifest.json (sizes and md5s). Prints one line per problem and exits 1 if there is any, else prints ITEM: OK. With --remote, also asks the Internet Archive's metadata API whether every file of the item is there with the same md5.
            """)

    @Argument(help: ArgumentHelp("The item folder.", valueName: "item-dir"))
    var item: String

    @Flag(help: "Also compare the item with what the Internet Archive lists for it.")
    var remote = false

    @OptionGroup var endpoints: ArchiveEndpointOptions
    @OptionGroup var logging: OutputOptions

    func run() async throws {
        let path = item.hasSuffix("/") && item.count > 1 ? String(item.dropLast()) : item
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("\(path) does not exist")
        }
        let env = logging.environment()
        defer { env.shutdown() }
        var problems = await ItemVerifier.verify(
            item: path, options: VerifyOptions(expectedIDs: ItemStateReader.doneIDs(item: path)))
        if remote {
            let environment = ProcessInfo.processInfo.environment
            let endpoints = try CommandSupport.endpoints(self.endpoints, environment: environment)
            // The user's keys when they have some (environment or ia.ini); else an anonymous read.
            let keys = try? IACredentials.resolve(
                environment: environment, home: environment["HOME"] ?? NSHomeDirectory())
            problems += await RemoteCheck(env: env, endpoints: endpoints, credentials: keys).problems(item: path)
        }
        for problem in problems { print(problem) }
        let remoteOnly = ItemStateReader.remoteOnlyImages(item: path)
        if remoteOnly > 0 {
            print(
                "\(path): \(remoteOnly) archived images are only on the Internet Archive (their tars were removed here after upload with --delete-after-upload, or this item was made by a later run from IA's copy); verify --remote checks them there"
            )
        }
        if problems.isEmpty {
            print("\(path): OK" + (remote ? " (and every file is on the Internet Archive with the same md5)" : ""))
        } else {
            throw ExitCode(1)
        }
    }
}
