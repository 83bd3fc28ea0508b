import Essentials
import Foundation
import Packaging
import SQLiteStore

extension UserDownload {
    /// Files the finalisation writes anew; everything else of a published item is carried into an update.
    static let regenerated: Set<String> = [".meta", ".mapillary-archiver", "metadata.jsonl.gz"]

    /// Closes the tars, writes `metadata.jsonl.gz`, `.meta`, the manifest, and publishes the item (once ``fence``
    /// allows it). A staging folder finished but not published is published by the next run as it is.
    func finalize(state: DownloadState, counts: DownloadState.Counts, update: Bool) async throws -> String {
        let writer = try ImageWriter(staging: staging, state: state, tarMode: options.tar)
        defer { writer.shutdown() }
        // One sequence of blocking writes, on the writer's thread.
        try await writer.perform { writer in
            try writer.openTars()
            var summaries = try writer.finish()

            let gzip = try GzipLineWriter(path: staging + "/metadata.jsonl.gz")
            try state.forEachRecord { raw, _, _ in try gzip.append(line: raw) }
            summaries["metadata.jsonl.gz"] = try gzip.finish()

            if update {
                try carryPublishedFiles()
                for entry in (try ItemManifest.read(item: finalPath))?.files ?? [] where summaries[entry.name] == nil {
                    summaries[entry.name] = FileSummary(size: entry.size, md5: entry.md5)
                }
            }

            let range = try state.captureDateRange()
            let facts = ItemFacts(
                identifier: identifier, user: user, quality: options.quality.rawValue,
                webp: options.webp, tarred: options.tar, imageCount: counts.done,
                firstDate: range?.first, lastDate: range?.last)
            let templates = try ItemTemplates.resolve(templateDirectory: options.templateDirectory)
            let metadata = try templates.render(facts).applying(options.metaOverrides)
            try MetaFolder.write(metadata, toItem: staging)

            // The run log is part of the item: stop writing to it before it is checksummed.
            env.hub.closeFile(key: user)
            try state.markAllTarsPublished()
            let manifest = try ItemManifest.build(item: staging, known: summaries)
            try manifest.write(toItem: staging)
            state.database.close()
        }
        if let fence, !(await fence()) {
            throw ArchiverError(
                .leaseLost,
                "another worker took over \(user) (this worker's lease ran out); it stopped before publishing, and the other worker finishes the job"
            )
        }
        return try await writer.perform { _ in try publish(update: update) }
    }

    /// For a later run of a published item: links (or copies) the published files that are not rewritten
    /// into the staging folder, so the staging folder becomes the complete new item.
    private func carryPublishedFiles() throws {
        let fm = FileManager.default
        for name in try fm.contentsOfDirectory(atPath: finalPath).sorted() where !Self.regenerated.contains(name) {
            if name == "__ia_thumb__.jpg" { try? fm.removeItem(atPath: staging + "/" + name) }
            try Self.merge(finalPath + "/" + name, into: staging + "/" + name)
        }
    }

    /// Publishes the staging folder; for an update, the previous item is moved aside first and removed
    /// after, or put back when publishing fails.
    private func publish(update: Bool) throws -> String {
        guard update else {
            return try ItemPublisher.publish(staging: staging, output: options.outputDirectory, identifier: identifier)
        }
        let aside = options.outputDirectory + "/." + identifier + ".previous-\(getpid())"
        guard rename(finalPath, aside) == 0 else {
            throw FileError(operation: "move aside", path: finalPath, errno: errno)
        }
        do {
            let path = try ItemPublisher.publish(
                staging: staging, output: options.outputDirectory, identifier: identifier)
            try? FileManager.default.removeItem(atPath: aside)
            return path
        } catch {
            _ = rename(aside, finalPath)
            throw error
        }
    }

    /// Prepares the staging folder of a later run of a published item: its state starts from the
    /// published item's (every image there counts as done), its tars are never appended to, and the
    /// listing starts over to find new images.
    func seedUpdate() throws {
        let stagingDB = privateFolder + "/state.sqlite"
        guard !FileManager.default.fileExists(atPath: stagingDB) else { return }
        let temp = stagingDB + ".seed"
        try? FileManager.default.removeItem(atPath: temp)
        try FileManager.default.copyItem(atPath: finalPath + "/.mapillary-archiver/state.sqlite", toPath: temp)
        do {
            let database = try SQLiteDatabase(path: temp)
            let state = try DownloadState(database: database)
            try state.markAllTarsPublished()
            try state.restartListing()
            try state.setValue("published_done", String(try state.counts().done))
            database.close()
        }
        try SystemCall.onFile("rename", stagingDB) { rename(temp, stagingDB) }
        logger.info("\(user): \(finalPath) exists; looking for images added since (new ones go into addendum tars)")
    }

    /// An interrupted update can leave the published item moved aside: put it back. An item moved aside by a
    /// process that still runs is left alone: that process is publishing its update right now (this check runs
    /// before the staging lock is taken).
    func restoreMovedAsideItem() {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: finalPath),
            let names = try? fm.contentsOfDirectory(atPath: options.outputDirectory)
        else { return }
        let prefix = "." + identifier + ".previous-"
        let orphans = names.filter { name in
            guard name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count)) else { return false }
            return !(kill(pid, 0) == 0 || errno == EPERM)
        }
        if let aside = orphans.first {
            if rename(options.outputDirectory + "/" + aside, finalPath) == 0 {
                logger.warning("\(user): restored \(finalPath) after an interrupted update")
            }
        }
    }

    /// Hard-links (else copies) `from` to `to` unless `to` exists; a folder is merged entry by entry, since a
    /// later `--no-tar` run creates date and sequence folders that the published item has too.
    static func merge(_ from: String, into to: String) throws {
        let fm = FileManager.default
        var info = stat()
        try SystemCall.onFile("read", from) { lstat(from, &info) }
        var existing = stat()
        let exists = lstat(to, &existing) == 0
        if (info.st_mode & S_IFMT) == S_IFDIR {
            if !exists { try fm.createDirectory(atPath: to, withIntermediateDirectories: false) }
            for name in try fm.contentsOfDirectory(atPath: from) { try merge(from + "/" + name, into: to + "/" + name) }
            return
        }
        guard !exists else { return }
        if link(from, to) == 0 { return }
        try fm.copyItem(atPath: from, toPath: to)
    }
}
