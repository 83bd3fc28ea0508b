import Essentials
import Foundation

/// `.mapillary-archiver/manifest.json`: the size, modification time and MD5 of every file the item
/// uploads, so `upload` can skip hashing files whose size and mtime still match.
///
/// Listed files: every regular file of the item except those under a top-level dot entry (rip
/// and IA uploads skip those); symlinks are not listed. Names are relative paths, sorted bytewise.
public struct ItemManifest: Sendable, Codable, Equatable {
    /// One file of the item.
    public struct Entry: Sendable, Codable, Equatable {
        public let name: String
        public let size: Int64
        /// Modification time in nanoseconds since 1970.
        public let mtime: Int64
        public let md5: String

        public init(name: String, size: Int64, mtime: Int64, md5: String) {
            self.name = name
            self.size = size
            self.mtime = mtime
            self.md5 = md5
        }
    }

    /// The manifest's location inside an item.
    public static let relativePath = ".mapillary-archiver/manifest.json"

    public var format: Int
    public var files: [Entry]

    public init(files: [Entry]) {
        self.format = 1
        self.files = files.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// The entry for `name`, if listed.
    public func entry(named name: String) -> Entry? { files.first { $0.name == name } }

    /// Lists and hashes the item's files. `known` gives files already hashed (e.g. tars, from their
    /// appender); a known MD5 is used only when the file's size still matches. `progress` gets bytes hashed.
    public static func build(
        item: String, known: [String: FileSummary] = [:],
        progress: ((Int64) -> Void)? = nil
    ) throws -> ItemManifest {
        var entries: [Entry] = []
        for (relative, entry) in try listFiles(item: item) {
            let mtime = Int64(entry.mtime.tv_sec) * 1_000_000_000 + Int64(entry.mtime.tv_nsec)
            let md5: String
            if let summary = known[relative], summary.size == entry.size {
                md5 = summary.md5
            } else {
                md5 = try FileDigest.md5(path: item + "/" + relative).md5
            }
            progress?(entry.size)
            entries.append(Entry(name: relative, size: entry.size, mtime: mtime, md5: md5))
        }
        return ItemManifest(files: entries)
    }

    /// Writes the manifest into `item` atomically (temp file, fsync, rename).
    public func write(toItem item: String) throws {
        let folder = item + "/" + DurableFile.parentDirectory(of: Self.relativePath)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try DurableFile.makeDirectories(folder)
        try DurableFile.write(Array(try encoder.encode(self)), to: item + "/" + Self.relativePath)
    }

    /// Reads the manifest of `item`; nil when it has none.
    public static func read(item: String) throws -> ItemManifest? {
        let path = item + "/" + relativePath
        guard try FileTree.entry(path) != nil else { return nil }
        let bytes = try FileTree.readFile(path, limit: 1 << 30)
        do {
            return try JSONDecoder().decode(ItemManifest.self, from: Data(bytes))
        } catch {
            throw PackagingError(
                .badInput, "\(path) is not a valid manifest; delete it and run package or download again")
        }
    }

    /// The regular files an upload would send: relative path and lstat, sorted bytewise.
    static func listFiles(item: String) throws -> [(String, FileTree.Entry)] {
        var out: [(String, FileTree.Entry)] = []
        func walk(_ relative: String) throws {
            let path = relative.isEmpty ? item : item + "/" + relative
            for name in try FileTree.names(in: path) {
                if relative.isEmpty && name.hasPrefix(".") { continue }
                let child = relative.isEmpty ? name : relative + "/" + name
                guard let entry = try FileTree.entry(item + "/" + child) else { continue }
                switch entry.kind {
                case .file: out.append((child, entry))
                case .directory: try walk(child)
                case .symlink, .other: continue
                }
            }
        }
        try walk("")
        return out.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
    }
}
