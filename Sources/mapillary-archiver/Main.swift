import ArgumentParser
import Archiver
import Campaign
import Foundation

/// Parses, runs, and maps failures to the documented exit codes: 1 for a failed run, 2 for a usage error.
@main
enum Main {
    static func main() async {
        signal(SIGPIPE, SIG_IGN)
        setlocale(LC_ALL, "C.UTF-8")
        do {
            var command = try MapillaryArchiver.parseAsRoot(
                PythonToolFlags.rewrite(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ArchiverError {
            printError(error.description)
            exit(error.code == .usage ? 2 : 1)
        } catch let error as CampaignError {
            printError(error.description)
            exit(error.code == .usage ? 2 : 1)
        } catch let error as ExitCode {
            exit(error.rawValue)
        } catch {
            let code = MapillaryArchiver.exitCode(for: error)
            let message = MapillaryArchiver.fullMessage(for: error)
            if code == .success {
                print(message)
                exit(0)
            }
            if code == .validationFailure {
                // One sentence, not the usage screen: the user fixes the one thing named.
                var sentence = MapillaryArchiver.message(for: error)
                if sentence.hasPrefix("Error: ") { sentence.removeFirst(7) }
                printError(sentence + "\n(see `mapillary-archiver help` or `mapillary-archiver COMMAND --help`)")
                exit(2)
            }
            printError(message.isEmpty ? "\(error)" : message)
            exit(1)
        }
    }

    static func printError(_ text: String) {
        let line = text.hasPrefix("Error:") || text.hasPrefix("error:") ? text : "error: " + text
        // `write(contentsOf:)` throws where `write(_:)` would trap (stderr closed, full disk): nothing to do then.
        try? FileHandle.standardError.write(contentsOf: Data((line.hasSuffix("\n") ? line : line + "\n").utf8))
    }
}

/// The Python tool's `--stats` and `--clean-up` were flags of its one command; here they are subcommands.
/// `mapillary-archiver --stats [OPTIONS]` runs `stats [OPTIONS]` (and `--clean-up` runs `clean-up`), so scripts
/// written for the Python tool keep working. Not shown in `--help`.
enum PythonToolFlags {
    static let subcommands = ["--stats": "stats", "--clean-up": "clean-up"]

    static func rewrite(_ arguments: [String]) -> [String] {
        let options = arguments.prefix { $0 != "--" }
        guard let flag = options.first(where: { subcommands[$0] != nil }), let subcommand = subcommands[flag] else {
            return arguments
        }
        var rest = arguments
        rest.remove(at: rest.firstIndex(of: flag)!)
        if rest.first == "download" { rest.removeFirst() }
        return [subcommand] + rest
    }
}
