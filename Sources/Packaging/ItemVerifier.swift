import Essentials
import Foundation

/// What ``ItemVerifier`` checks beyond the item itself.
public struct VerifyOptions: Sendable {
    /// Image ids the caller's state says are done; each must be in a tar (or the item). nil skips the check.
    public var expectedIDs: Set<String>?
    /// Re-hash files listed in the manifest and compare MD5s (sizes are always compared).
    public var checkManifestMD5: Bool
    /// How many problems of one kind are listed before a summary line.
    public var maxListedPerKind: Int

    public init(expectedIDs: Set<String>? = nil, checkManifestMD5: Bool = true, maxListedPerKind: Int = 20) {
        self.expectedIDs = expectedIDs
        self.checkManifestMD5 = checkManifestMD5
        self.maxListedPerKind = maxListedPerKind
    }
}

/// `mapillary-archiver verify ITEM_DIR`: checks an item folder and lists its problems, one line
/// each naming the file; an empty list means the item is fine.
///
/// Checked: the identifier (folder name); `.meta` well-formed; every tar reads to its end and has
/// its end-of-archive blocks; member names are safe and unique across tars; image members have a
/// record in `metadata.jsonl.gz` (when present); expected ids are present; the manifest (when
/// present) matches sizes and MD5s and lists every file. Blocking: use the `async` form from tasks.
public enum ItemVerifier {
    public static func verify(item: String, options: VerifyOptions = VerifyOptions()) -> [String] {
        var report = ProblemList(limit: options.maxListedPerKind)
        guard FileTree.kind(item, following: true) == .directory else {
            return ["\(item): not a folder; give verify the item folder"]
        }
        let identifier = FileTree.baseName(item)
        if let reason = IdentifierRule.validate(identifier) { report.add("identifier", "\(item): \(reason)") }
        if FileTree.kind(item + "/" + MetaFolder.name) == nil {
            report.add("meta", "\(item)/.meta: missing; the item has no metadata (run package, or add .meta)")
        } else {
            for problem in MetaFolder.problems(folder: item + "/" + MetaFolder.name) { report.add("meta", problem) }
        }
        let images = checkTars(item: item, report: &report)
        checkRecords(item: item, images: images, report: &report)
        if let expected = options.expectedIDs {
            for id in expected.sorted() where images[id] == nil {
                report.add("expected", "\(item): image \(id) is marked done but is in no tar")
            }
        }
        checkManifest(item: item, checkMD5: options.checkManifestMD5, report: &report)
        return report.lines
    }

    /// The async form: runs ``verify(item:options:)`` on a thread of its own.
    public static func verify(item: String, options: VerifyOptions = VerifyOptions()) async -> [String] {
        do {
            return try await DedicatedThread.run(name: "verify") { verify(item: item, options: options) }
        } catch {
            return ["\(item): \(error)"]
        }
    }

    /// Reads every tar; returns image id → where it is (tar member or loose file).
    private static func checkTars(item: String, report: inout ProblemList) -> [String: String] {
        var images: [String: String] = [:]
        var owners: [String: String] = [:]
        let files = (try? ItemManifest.listFiles(item: item)) ?? []
        for (relative, _) in files where relative.hasSuffix(".tar") && !relative.contains("/") {
            let path = item + "/" + relative
            let listing = TarReader.list(path)
            if let problem = listing.problem { report.add("tar", "\(path): \(problem)") }
            if listing.problem == nil && !listing.hasEndMarker {
                report.add(
                    "tar", "\(path): has no end-of-archive blocks (an unfinished tar); finish the download or repackage"
                )
            }
            for member in listing.members {
                guard let name = member.name else {
                    report.add("member", "\(path): a member's name cannot be read as text")
                    continue
                }
                if let problem = MemberName.problem(name) { report.add("member", "\(path): \(problem)") }
                if !member.isRegularFile { report.add("member", "\(path): member \(name) is not a regular file") }
                if let other = owners[name] {
                    report.add("duplicate", "\(path): member \(name) is also in \(other)")
                } else {
                    owners[name] = relative
                }
                if let id = imageID(name) { images[id] = images[id] ?? "\(relative):\(name)" }
            }
        }
        for (relative, _) in files where FolderPlan.isImage(relative) && relative != FolderPackager.thumbnailName {
            if let id = imageID(relative) { images[id] = images[id] ?? relative }
        }
        return images
    }

    /// Every image must have a record in `metadata.jsonl.gz`, when the item has that file.
    private static func checkRecords(item: String, images: [String: String], report: inout ProblemList) {
        let path = item + "/metadata.jsonl.gz"
        guard FileTree.kind(path) == .file else { return }
        var ids = Set<String>()
        var badLines: [Int] = []
        do {
            let reader = try GzipLineReader(path: path)
            while let line = try reader.nextLine() {
                if line.isEmpty { continue }
                guard let object = try? JSONParser.parseDocument(line), object.isObject else {
                    badLines.append(reader.lineNumber)
                    continue
                }
                if let id = object["id"]?.scalarText { ids.insert(id) }
            }
        } catch {
            report.add("records", "\(path): \(error)")
            return
        }
        if let first = badLines.first {
            report.add("records", "\(path): \(badLines.count) line(s) are not JSON records (first: line \(first))")
        }
        for (id, place) in images.sorted(by: { $0.key < $1.key }) where !ids.contains(id) {
            report.add("unrecorded", "\(item)/\(place): image \(id) has no record in metadata.jsonl.gz")
        }
    }

    /// Sizes and MD5s in `.mapillary-archiver/manifest.json` match the files, and every file is listed.
    private static func checkManifest(item: String, checkMD5: Bool, report: inout ProblemList) {
        let manifest: ItemManifest
        do {
            guard let read = try ItemManifest.read(item: item) else { return }
            manifest = read
        } catch {
            report.add("manifest", "\(error)")
            return
        }
        let files = (try? ItemManifest.listFiles(item: item)) ?? []
        var onDisk: [String: FileTree.Entry] = [:]
        for (relative, entry) in files { onDisk[relative] = entry }
        for entry in manifest.files {
            let path = item + "/" + entry.name
            guard let disk = onDisk[entry.name] else {
                report.add("manifest", "\(path): listed in the manifest but missing")
                continue
            }
            if disk.size != entry.size {
                report.add("manifest", "\(path): \(disk.size) bytes, but the manifest says \(entry.size)")
            } else if checkMD5, let digest = try? FileDigest.md5(path: path), digest.md5 != entry.md5 {
                report.add("manifest", "\(path): its MD5 \(digest.md5) differs from the manifest's \(entry.md5)")
            }
        }
        let listed = Set(manifest.files.map(\.name))
        for (relative, _) in files where !listed.contains(relative) {
            report.add("manifest", "\(item)/\(relative): not in the manifest")
        }
    }

    /// The image id of `…/{id}.webp|jpg|jpeg`.
    static func imageID(_ name: String) -> String? {
        guard FolderPlan.isImage(name) else { return nil }
        let base = name.split(separator: "/").last.map(String.init) ?? name
        guard let dot = base.lastIndex(of: ".") else { return nil }
        let id = String(base[..<dot])
        return id.isEmpty ? nil : id
    }
}

/// Problem lines, at most `limit` per kind, then one summary line per kind.
struct ProblemList {
    let limit: Int
    private var order: [String] = []
    private var listed: [String: [String]] = [:]
    private var extra: [String: Int] = [:]

    init(limit: Int) { self.limit = max(1, limit) }

    mutating func add(_ kind: String, _ line: String) {
        if listed[kind] == nil { order.append(kind) }
        if listed[kind, default: []].count < limit {
            // Names in a line come from the item's files (tar members, their ids): every control character is
            // escaped, so each problem stays one line and a terminal shows it as text.
            listed[kind, default: []].append(MemberName.printable(line))
        } else {
            extra[kind, default: 0] += 1
        }
    }

    var lines: [String] {
        order.flatMap { kind in
            listed[kind, default: []] + (extra[kind].map { ["… and \($0) more problems like the one above"] } ?? [])
        }
    }
}
