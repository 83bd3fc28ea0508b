import ArgumentParser
import Archiver
import Essentials
import Foundation

struct CleanUp: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean-up",
        abstract: "List (and with --yes remove) leftover staging folders in the cache.",
        discussion: """
            Removable: staging folders that hold only logs (a run that found nothing), folders whose item is already in --output, and folders older than --older-than days. A folder with archived images that were never published is never removed without --force: run the same download again to finish it. Also removable: the .ID.partial-PID-N folders in --output that a killed package (or a publish across file systems) left, once that process is gone. A folder a running process works on is always kept. Without --yes nothing is removed; the list says what would be.
            """)

    @Flag(help: "Remove the folders listed as removable.")
    var yes = false

    @Option(help: ArgumentHelp("Also remove staging folders not touched for this many days.", valueName: "days"))
    var olderThan: Double?

    @Flag(help: "Also remove folders with archived but unpublished images (their downloads are lost).")
    var force = false

    @Option(
        help: ArgumentHelp(
            "The cache folder. Default: $XDG_CACHE_HOME/mapillary-archiver, else ~/.cache/mapillary-archiver.",
            valueName: "dir"))
    var cacheDir: String?

    @Option(
        help: ArgumentHelp(
            "The output folder where finished items are (and where package leaves unfinished copies).", valueName: "dir"
        ))
    var output = "./mapillary_data"

    func run() throws {
        let cleaner = StagingCleaner(
            cacheDirectory: cacheDir ?? DownloadOptions.defaultCacheDirectory(),
            outputDirectory: output, olderThan: olderThan.map { $0 * 86_400 }, force: force)
        let survey = cleaner.survey()
        if survey.isEmpty {
            print("no staging folders in \(cleaner.cacheDirectory)")
            return
        }
        for candidate in survey {
            let size = ByteFormat.size(candidate.bytes)
            if let kept = candidate.keptBecause {
                print("keep    \(candidate.path) (\(size)): \(kept)")
            } else if let reason = candidate.reason {
                print("\(yes ? "remove" : "would remove") \(candidate.path) (\(size)): \(reason.rawValue)")
            }
        }
        if yes {
            let removed = try cleaner.remove(survey)
            print("removed \(removed.count) folder(s), \(ByteFormat.size(removed.reduce(0) { $0 + $1.bytes }))")
        } else if survey.contains(where: { $0.keptBecause == nil && $0.reason != nil }) {
            print("run again with --yes to remove them")
        }
    }
}
