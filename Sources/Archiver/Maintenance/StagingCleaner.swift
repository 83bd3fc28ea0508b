import Essentials
import Foundation

/// `clean-up`: finds staging folders in the cache that are safe to remove, and removes them when asked.
///
/// Removable: folders holding only logs (a run that found nothing), folders whose item already exists
/// in the output folder (left over), and folders older than a given age. A folder with committed images
/// that were never published is kept unless `force` is set: removing it would throw away downloads. A folder
/// another process is working on (its staging lock is held) is never removed, `force` or not.
///
/// Also in the output folder: `.{identifier}.partial-{pid}-{n}` folders that a `package` or a publish across file
/// systems left when it was killed. They only ever hold a copy (the input or the staging folder still has
/// everything), so they are removable once the process named by the pid is gone; while it runs they are kept.
public struct StagingCleaner: Sendable {
    public struct Candidate: Sendable, Equatable {
        public enum Reason: String, Sendable {
            case onlyLogs = "holds only logs"
            case published = "its item is already in the output folder"
            case old = "older than the limit"
            case unfinishedCopy = "an unfinished package or publish left it (its process is gone)"
        }

        public let path: String
        public let reason: Reason?
        public let unpublishedImages: Int
        public let bytes: Int64
        /// Why it is kept (nil when it will be removed).
        public let keptBecause: String?
    }

    public let cacheDirectory: String
    public let outputDirectory: String
    public let olderThan: TimeInterval?
    public let force: Bool

    public init(cacheDirectory: String, outputDirectory: String, olderThan: TimeInterval? = nil, force: Bool = false) {
        self.cacheDirectory = cacheDirectory
        self.outputDirectory = outputDirectory
        self.olderThan = olderThan
        self.force = force
    }

    /// Every staging folder with the decision about it, sorted by name.
    public func survey(now: Date = Date()) -> [Candidate] {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: cacheDirectory)) ?? []
        var result: [Candidate] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = cacheDirectory + "/" + name
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else { continue }
            let entries = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { $0 != ".mapillary-archiver" }
            // Before the state is read: opening the database after a crash checkpoints its WAL, which would make
            // the folder look touched just now.
            let modified = Self.newestModification(path)
            let unpublished = ItemStateReader.unpublishedImages(item: path) ?? Self.countLooseImages(path)
            let onlyLogs = entries.allSatisfy { $0.hasPrefix("download.log.") } && unpublished == 0
            let published = fm.fileExists(atPath: outputDirectory + "/" + name)
            let old = olderThan.map { now.timeIntervalSince(modified) > $0 } ?? false
            let reason: Candidate.Reason? = onlyLogs ? .onlyLogs : (published ? .published : (old ? .old : nil))
            var kept: String?
            if Self.inUse(path) {
                kept = Self.inUseReason
            } else if reason == nil {
                kept = "in progress or waiting to be finished"
            } else if unpublished > 0 && !force {
                // Also when its item is in the output folder: a later run's images not yet merged into it.
                kept =
                    "\(unpublished) archived images were never published (run the same download again to finish it, or use --force)"
            }
            result.append(
                Candidate(
                    path: path, reason: reason, unpublishedImages: unpublished,
                    bytes: Self.size(path), keptBecause: kept))
        }
        return result + unfinishedCopies()
    }

    /// The `.{identifier}.partial-{pid}-{n}` folders of the output folder, sorted by name.
    func unfinishedCopies() -> [Candidate] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: outputDirectory) else { return [] }
        var result: [Candidate] = []
        for name in names.sorted() {
            guard let pid = Self.partialWriter(name) else { continue }
            let path = outputDirectory + "/" + name
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else { continue }
            let kept: String? =
                Self.isRunning(pid)
                ? "the process writing it (pid \(pid)) is still running"
                : (Self.inUse(path) ? Self.inUseReason : nil)
            result.append(
                Candidate(
                    path: path, reason: .unfinishedCopy, unpublishedImages: 0, bytes: Self.size(path),
                    keptBecause: kept))
        }
        return result
    }

    /// The pid in a `.{identifier}.partial-{pid}-{n}` name (as `FolderPackager` and `ItemPublisher` make them).
    static func partialWriter(_ name: String) -> Int32? {
        guard name.hasPrefix("."), let range = name.range(of: ".partial-", options: .backwards),
            range.lowerBound > name.index(after: name.startIndex)
        else { return nil }
        let parts = name[range.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let pid = Int32(parts[0]), pid > 0, UInt32(parts[1]) != nil else { return nil }
        return pid
    }

    /// True while a process with this pid exists (one that may be the writer).
    static func isRunning(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    /// Removes the folders the survey marks removable; returns what was removed.
    public func remove(_ candidates: [Candidate]) throws -> [Candidate] {
        var removed: [Candidate] = []
        for candidate in candidates where candidate.reason != nil && candidate.keptBecause == nil {
            // Asked again: the pid may belong to a process again since the survey (then the folder waits).
            if let pid = Self.partialWriter(String(candidate.path.split(separator: "/").last ?? "")),
                Self.isRunning(pid)
            {
                continue
            }
            // Held while removing: a download starting on this folder meanwhile waits or stops with "busy".
            let lock: StagingLock?
            if FileManager.default.fileExists(atPath: candidate.path + "/.mapillary-archiver") {
                guard let held = try? StagingLock(folder: candidate.path) else { continue }  // in use since the survey
                lock = held
            } else {
                lock = nil
            }
            defer { lock?.release() }
            try FileManager.default.removeItem(atPath: candidate.path)
            removed.append(candidate)
        }
        return removed
    }

    static let inUseReason = "another mapillary-archiver process is working on it"

    /// Whether another process holds the folder's staging lock (a running download or update).
    static func inUse(_ path: String) -> Bool {
        guard FileManager.default.fileExists(atPath: path + "/.mapillary-archiver/lock") else { return false }
        do {
            try StagingLock(folder: path).release()
            return false
        } catch let error as ArchiverError where error.code == .busy {
            return true
        } catch {
            return false
        }
    }

    static func countLooseImages(_ path: String) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
        var n = 0
        for case let entry as String in walker where entry.hasSuffix(".webp") || entry.hasSuffix(".jpg") {
            if !entry.hasPrefix(".") && !entry.contains("/.") { n += 1 }
        }
        return n
    }

    static func newestModification(_ path: String) -> Date {
        let fm = FileManager.default
        var newest = (try? fm.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantPast
        // The private folder's own mtime is left out: SQLite creates and removes its -wal/-shm files there
        // whenever anyone (this survey included) opens the database.
        for name in (try? fm.contentsOfDirectory(atPath: path)) ?? [] where name != ".mapillary-archiver" {
            if let date = try? fm.attributesOfItem(atPath: path + "/" + name)[.modificationDate] as? Date, date > newest
            {
                newest = date
            }
        }
        for name in ["state.sqlite", "state.sqlite-wal"] {
            if let date = try? fm.attributesOfItem(atPath: path + "/.mapillary-archiver/" + name)[.modificationDate]
                as? Date, date > newest
            {
                newest = date
            }
        }
        return newest
    }

    static func size(_ path: String) -> Int64 {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total: Int64 = 0
        for case let entry as String in walker {
            if let size = try? FileManager.default.attributesOfItem(atPath: path + "/" + entry)[.size] as? NSNumber {
                total += size.int64Value
            }
        }
        return total
    }
}
