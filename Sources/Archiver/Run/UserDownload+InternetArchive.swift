import Essentials
import Foundation
import InternetArchive
import Mapillary
import Packaging
import SQLiteStore

extension UserDownload {
    /// What IA holds under the user's identifier, as a run decides on it.
    enum OnInternetArchive {
        /// No item (or IA could not be asked: the run goes on as if there were none, with a warning).
        case absent
        /// An item this tool made and finished (it lists `metadata.jsonl.gz`): a later run can work from it.
        case finished(RemoteItem)
        /// An item without `metadata.jsonl.gz` (an upload cut short), or one another tool made.
        case other(RemoteItem, reason: String)
    }

    /// The name of the container that stands for every image archived on IA before a run that started from IA's
    /// copy (the tar each image is in is not known there, only that IA holds it).
    static let internetArchiveContainer = "(on the Internet Archive)"

    /// Asks the metadata API about the item. Any failure counts as absent, with a warning.
    func lookUpOnInternetArchive() async -> OnInternetArchive {
        let metadata = ArchiveMetadataClient(http: env.http, endpoints: options.endpoints, credentials: nil)
        do {
            guard let item = try await metadata.item(identifier), item.exists else { return .absent }
            let madeHere =
                (item.metadata?["mapillary_archiver"] ?? []).contains { !$0.isEmpty }
                || (item.metadata?["scanner"] ?? []).contains { $0.hasPrefix("mapillary-archiver") }
            if !madeHere { return .other(item, reason: "made by another tool") }
            if item.file(named: "metadata.jsonl.gz") == nil {
                return .other(item, reason: "without metadata.jsonl.gz, so its upload never finished")
            }
            return .finished(item)
        } catch {
            logger.warning(
                "\(user): could not ask the Internet Archive whether \(identifier) exists (\(error)); downloading anyway"
            )
            return .absent
        }
    }

    /// The item's page on archive.org.
    var detailsURL: String { options.endpoints.archive + "/details/" + identifier }

    /// True when the staging folder holds a state begun from IA's copy of the item (an interrupted run of that kind).
    func stagingStartedFromInternetArchive() -> Bool {
        guard let path = ItemStateReader.databasePath(item: staging), let database = try? SQLiteDatabase(path: path)
        else { return false }
        defer { database.close() }
        return (try? database.scalar("SELECT value FROM download_meta WHERE key = 'from_internet_archive'"))??.string
            == "1"
    }

    /// Prepares the staging folder of a later run whose local item is gone: its state starts from the item on IA.
    /// IA's `metadata.jsonl.gz` says which images are archived (they count as done, living only on IA), IA's tar
    /// names are taken (new images go into addendum tars, so no file IA holds is replaced), and IA's thumbnail is
    /// kept. Like ``seedUpdate()``, it does nothing when the staging folder already has a state.
    func seedFromInternetArchive(_ item: RemoteItem) async throws {
        let stagingDB = privateFolder + "/state.sqlite"
        guard !FileManager.default.fileExists(atPath: stagingDB) else { return }
        let iaTarred = item.files.contains { $0.name.hasSuffix(".tar") }
        if iaTarred != options.tar {
            throw ArchiverError(
                .stagingMismatch,
                "\(identifier) on the Internet Archive was archived "
                    + (iaTarred ? "in tars; run again without --no-tar" : "as loose files; run again with --no-tar")
                    + " to add the new images to it")
        }
        logger.info(
            "\(user): \(identifier) is on the Internet Archive (\(detailsURL)) but not in \(options.outputDirectory); reading its metadata.jsonl.gz to look for images added since (new ones go into addendum tars)"
        )
        let records = privateFolder + "/ia-metadata.jsonl.gz"
        defer { try? FileManager.default.removeItem(atPath: records) }
        let client = ArchiveMetadataClient(http: env.http, endpoints: options.endpoints, credentials: nil)
        try await client.download("metadata.jsonl.gz", of: identifier, to: records)

        let temp = stagingDB + ".seed"
        try? FileManager.default.removeItem(atPath: temp)
        let database = try SQLiteDatabase(path: temp)
        var archived = 0
        var unreadable = 0
        do {
            defer { database.close() }
            let state = try DownloadState(database: database)
            let reader = try GzipLineReader(path: records)
            var batch: [DownloadState.Listed] = []
            func flush() throws {
                archived += try state.seedArchived(batch, container: Self.internetArchiveContainer)
                batch.removeAll(keepingCapacity: true)
            }
            while let line = try reader.nextLine() {
                guard !line.isEmpty else { continue }
                guard let record = try? ImageRecord(rawJSON: line, quality: options.quality) else {
                    unreadable += 1
                    continue
                }
                batch.append(
                    DownloadState.Listed(
                        id: record.id, raw: record.rawJSON,
                        captureDate: ItemNaming.dateName(capturedAtMilliseconds: record.capturedAt),
                        capturedAtMillis: record.capturedAt, sequence: record.sequence,
                        thumbURL: record.thumbURL))
                if batch.count == 2_000 { try flush() }
            }
            try flush()
            guard archived > 0 else {
                throw ArchiverError(
                    .io,
                    "the metadata.jsonl.gz of \(identifier) on the Internet Archive lists no image this tool can read, so a later run cannot tell what is archived; run with --no-check-ia to archive the user in full into a new local item (upload it only after checking it against \(detailsURL))"
                )
            }
            let tars = item.files.filter { $0.name.hasSuffix(".tar") && !$0.name.contains("/") }
                .map { (name: $0.name, size: $0.size ?? 0) }
            try state.seedPublishedTars(tars)
            try state.setValue("published_done", String(try state.counts().done))
            try state.setValue("from_internet_archive", "1")
            if item.file(named: "__ia_thumb__.jpg") != nil { try state.setValue("thumbnail_on_internet_archive", "1") }
            try state.restartListing()
        } catch {
            try? FileManager.default.removeItem(atPath: temp)
            throw error
        }
        try SystemCall.onFile("rename", stagingDB) { rename(temp, stagingDB) }
        if unreadable > 0 {
            logger.warning(
                "\(user): \(unreadable) lines of the metadata.jsonl.gz on the Internet Archive could not be read; their images count as not archived and are downloaded again if Mapillary still lists them"
            )
        }
        logger.info("\(user): the Internet Archive holds \(archived) images of \(user) in \(tars(of: item)) tars")
    }

    private func tars(of item: RemoteItem) -> Int {
        item.files.filter { $0.name.hasSuffix(".tar") }.count
    }
}
