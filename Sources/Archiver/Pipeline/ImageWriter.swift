import Essentials
import Foundation
import Packaging

/// The per-user disk writer: writes finished images into the staging folder and records them as done, in batches,
/// and makes every other write to the user's state. It is an actor whose executor is a thread of its own: the
/// blocking file I/O (appends, fsyncs, SQLite transactions) never occupies a thread of Swift's cooperative pool, its
/// writes happen one at a time in order, and the compiler rejects any access to its tars from elsewhere.
///
/// Commit order (DESIGN "State and crash safety"): image bytes appended to their tar (or written to a
/// partial loose file) → fsync of every touched tar/file → one state transaction. A crash at any point
/// loses only images not yet in a committed batch, and those are fetched again.
actor ImageWriter {
    nonisolated let executor: DedicatedThreadExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    let staging: String
    let state: DownloadState
    private let tarMode: Bool
    private var shelf: TarShelf?
    private let batchSize: Int
    private let batchInterval: Double
    private var published: Set<String> = []
    private var tarForDate: [String: String] = [:]
    private var pending: [DownloadState.Done] = []
    private var touched: Set<String> = []
    private var looseFiles: [LooseFile] = []
    private var lastCommit = Date().timeIntervalSince1970

    private struct LooseFile {
        let fd: Int32
        let partial: String
        let final: String
        let directory: String
    }

    /// Starts the writer's thread; ``openTars()`` must run before anything is written, and ``shutdown()`` ends the
    /// thread.
    init(staging: String, state: DownloadState, tarMode: Bool, batchSize: Int = 64, batchInterval: Double = 1.0) throws
    {
        executor = try DedicatedThreadExecutor(name: "disk")
        self.staging = staging
        self.state = state
        self.tarMode = tarMode
        self.batchSize = batchSize
        self.batchInterval = batchInterval
    }

    /// Ends the writer's thread once the work already asked of it is done.
    nonisolated func shutdown() {
        executor.shutdown()
    }

    /// Opens the staging folder's tars at their committed lengths; tar files the state does not know
    /// (written before a crash, never committed) are removed.
    func openTars() throws {
        guard tarMode else { return }
        let shelf = TarShelf(directory: staging)
        let records = try state.tars()
        var known = Set<String>()
        for record in records {
            known.insert(record.name)
            if record.published {
                published.insert(record.name)
            } else {
                try shelf.register(
                    name: record.name, committedLength: record.committedLength, md5State: record.md5State)
                tarForDate[Self.date(ofTar: record.name)] = record.name
            }
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? []
        where name.hasSuffix(".tar") && !known.contains(name) {
            try? FileManager.default.removeItem(atPath: staging + "/" + name)
        }
        self.shelf = shelf
    }

    /// Runs `body` on the writer's thread, with the writer: for a sequence of writes that belong together
    /// (finishing an item).
    func perform<T: Sendable>(_ body: @Sendable (isolated ImageWriter) throws -> T) rethrows -> T {
        try body(self)
    }

    // MARK: - The state's other writes (on this thread, in order with the images)

    func recordPage(_ records: [DownloadState.Listed], next: String?) throws -> DownloadState.PageRecording {
        try state.recordPage(records, next: next)
    }

    func pending(after seq: Int64, limit: Int) throws -> [DownloadState.Pending] {
        try state.pending(after: seq, limit: limit)
    }

    func updateThumbURL(id: String, url: String) throws {
        try state.updateThumbURL(id: id, url: url)
    }

    func markFailed(id: String, reason: String, permanent: Bool) throws {
        try state.markFailed(id: id, reason: reason, permanent: permanent)
    }

    /// Writes a whole file durably (the item's thumbnail).
    func writeFile(_ bytes: [UInt8], to path: String) throws {
        try DurableFile.write(bytes, to: path)
    }

    // MARK: - Images

    /// Writes one image; commits the batch when it is full or old enough. Returns true when it committed.
    @discardableResult
    func write(_ image: ProcessedImage) throws -> Bool {
        if let shelf {
            let tar = tarName(for: image.date)
            let end = try shelf.append(tar: tar, member: image.memberName, bytes: image.bytes, mtime: image.mtime)
            touched.insert(tar)
            pending.append(
                .init(
                    id: image.id, container: tar, endOffset: end, bytes: Int64(image.bytes.count),
                    md5: image.md5, format: image.format.rawValue))
        } else {
            try writeLoose(image)
            pending.append(
                .init(
                    id: image.id, container: image.memberName, endOffset: 0,
                    bytes: Int64(image.bytes.count), md5: image.md5, format: image.format.rawValue))
        }
        return try commitIfDue()
    }

    /// Commits when the batch is full or older than the interval.
    @discardableResult
    func commitIfDue() throws -> Bool {
        guard !pending.isEmpty else { return false }
        let now = Date().timeIntervalSince1970
        guard pending.count >= batchSize || now - lastCommit >= batchInterval else { return false }
        try commit()
        return true
    }

    /// Syncs everything written and records it in the state.
    func commit() throws {
        lastCommit = Date().timeIntervalSince1970
        guard !pending.isEmpty else { return }
        var tars: [DownloadState.TarRecord] = []
        if let shelf {
            try shelf.sync(touched)
            for name in touched.sorted() {
                if let s = try shelf.state(of: name) {
                    tars.append(.init(name: name, committedLength: s.length, md5State: s.md5State))
                }
            }
        } else {
            try syncLooseFiles()
        }
        try state.commit(pending, tars: tars)
        pending.removeAll(keepingCapacity: true)
        touched.removeAll()
    }

    /// Commits what is pending and closes every tar with its end-of-archive blocks.
    /// Returns each tar's final size and md5 (tars written in earlier runs included).
    func finish() throws -> [String: FileSummary] {
        try commit()
        guard let shelf else { return [:] }
        return try shelf.finishAll()
    }

    /// Best effort after a failure: keep what can still be committed, close descriptors.
    func abandon() {
        try? commit()
        try? shelf?.suspendAll()
        for file in looseFiles { close(file.fd); unlink(file.partial) }
        looseFiles.removeAll()
    }

    // MARK: - Tars

    private func tarName(for date: String) -> String {
        if let name = tarForDate[date] { return name }
        let taken = published.union(shelf?.names ?? [])
        let name = ItemNaming.tarName(date: date, avoiding: taken)
        tarForDate[date] = name
        return name
    }

    /// `2024-01-15.tar` and `2024-01-15.2.tar` both belong to 2024-01-15.
    static func date(ofTar name: String) -> String {
        let stem = String(name.dropLast(4))
        if let dot = stem.firstIndex(of: "."), Int(stem[stem.index(after: dot)...]) != nil {
            return String(stem[..<dot])
        }
        return stem
    }

    // MARK: - Loose files (--no-tar)

    private func writeLoose(_ image: ProcessedImage) throws {
        if let problem = MemberName.problem(image.memberName) {
            throw PackagingError(.unsafeName, problem)
        }
        let final = staging + "/" + image.memberName
        let directory = DurableFile.parentDirectory(of: final)
        try DurableFile.makeDirectories(directory)
        let partial = directory + "/." + image.id + ".partial"
        let fd = try SystemCall.onFile("create", partial) {
            open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        do {
            try DurableFile.writeAll(fd: fd, bytes: image.bytes, path: partial)
            var times = [
                timespec(tv_sec: Int(image.mtime), tv_nsec: 0), timespec(tv_sec: Int(image.mtime), tv_nsec: 0),
            ]
            _ = futimens(fd, &times)
        } catch {
            close(fd)
            unlink(partial)
            throw error
        }
        looseFiles.append(LooseFile(fd: fd, partial: partial, final: final, directory: directory))
    }

    private func syncLooseFiles() throws {
        var directories = Set<String>()
        for file in looseFiles {
            try SystemCall.onFile("fsync", file.partial) { fsync(file.fd) }
        }
        // Closed once, here, whatever happens next (`abandon` must not close the numbers again: another thread
        // may have them by then). A partial left by a failed rename is rewritten when its image is retried.
        let files = looseFiles
        looseFiles.removeAll()
        for file in files { close(file.fd) }
        for file in files {
            guard rename(file.partial, file.final) == 0 else {
                throw FileError(operation: "rename", path: file.final, errno: errno)
            }
            directories.insert(file.directory)
        }
        for directory in directories { try DurableFile.syncDirectory(directory) }
    }
}
