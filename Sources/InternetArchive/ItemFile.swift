import Essentials

/// One file an upload sends: its key (path relative to the item) and what `lstat` said about it.
struct ItemFile: Sendable, Equatable {
    let key: String
    let path: String
    let size: Int64
    /// Modification time in nanoseconds since 1970.
    let mtime: Int64

    /// The regular files of `item` as rip uploads them: every regular file except under top-level dot entries
    /// (nested dot files are kept), symlinks not followed, sorted bytewise by key.
    static func list(item: String) throws -> [ItemFile] {
        var out: [ItemFile] = []
        try walk(item: item, relative: "", into: &out)
        return out.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    /// The file's size and mtime now; nil when it is gone or no longer a regular file.
    func current() -> (size: Int64, mtime: Int64)? {
        guard let info = Self.lstatInfo(path), (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return (Int64(info.st_size), Self.nanoseconds(info))
    }

    /// True when size and mtime are still what the listing saw.
    var isUnchanged: Bool {
        guard let now = current() else { return false }
        return now.size == size && now.mtime == mtime
    }

    private static func walk(item: String, relative: String, into out: inout [ItemFile]) throws {
        let folder = relative.isEmpty ? item : item + "/" + relative
        for name in try names(in: folder) {
            if relative.isEmpty && name.hasPrefix(".") { continue }
            let key = relative.isEmpty ? name : relative + "/" + name
            let path = item + "/" + key
            guard let info = lstatInfo(path) else {
                throw InternetArchiveError(
                    .badItem,
                    "\(path) cannot be read (\(String(cString: strerror(errno)))); "
                        + "check its permissions")
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                out.append(ItemFile(key: key, path: path, size: Int64(info.st_size), mtime: nanoseconds(info)))
            case S_IFDIR:
                try walk(item: item, relative: key, into: &out)
            default:
                continue  // symlinks, sockets, devices: never uploaded
            }
        }
    }

    private static func names(in folder: String) throws -> [String] {
        guard let dir = opendir(folder) else {
            throw InternetArchiveError(
                .badItem,
                "the folder \(folder) cannot be read "
                    + "(\(String(cString: strerror(errno)))); check its permissions")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let raw = withUnsafeBytes(of: entry.pointee.d_name) { buffer -> [UInt8] in
                Array(buffer.prefix { $0 != 0 })
            }
            if raw == [46] || raw == [46, 46] { continue }
            guard let name = String(validating: raw, as: UTF8.self) else {
                let shown = String(decoding: raw, as: UTF8.self)
                throw InternetArchiveError(
                    .badItem,
                    "the file name '\(shown)' in \(folder) is not valid UTF-8, so IA "
                        + "cannot store it; rename it")
            }
            names.append(name)
        }
        return names
    }

    private static func lstatInfo(_ path: String) -> stat? {
        var info = stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    private static func nanoseconds(_ info: stat) -> Int64 {
        Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    }
}
