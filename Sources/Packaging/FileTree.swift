import Essentials

/// Plain POSIX folder operations shared by the module: listing, lstat, removal, copying with times.
enum FileTree {
    /// What `lstat` says about a path.
    struct Entry {
        enum Kind { case file, directory, symlink, other }
        let kind: Kind
        let size: Int64
        let mtime: timespec
        let mode: mode_t
        let device: UInt64
    }

    /// `lstat` of `path`, or nil when it does not exist; other failures throw.
    static func entry(_ path: String) throws -> Entry? {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw FileError(operation: "stat", path: path, errno: errno)
        }
        return entry(from: info)
    }

    /// The kind of entry at `path` (`lstat`, or `stat` when `following`); nil when absent or unreadable.
    static func kind(_ path: String, following: Bool = false) -> Entry.Kind? {
        let found = following ? try? followedEntry(path) : try? entry(path)
        return found?.kind
    }

    /// `stat` (following symlinks) of `path`, or nil when it does not exist.
    static func followedEntry(_ path: String) throws -> Entry? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR || errno == ELOOP { return nil }
            throw FileError(operation: "stat", path: path, errno: errno)
        }
        return entry(from: info)
    }

    private static func entry(from info: stat) -> Entry {
        let kind: Entry.Kind
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        default: kind = .other
        }
        return Entry(
            kind: kind, size: Int64(info.st_size), mtime: info.st_mtim, mode: info.st_mode & 0o7777,
            device: UInt64(info.st_dev))
    }

    /// The names in folder `path` (without `.` and `..`), sorted bytewise.
    static func names(in path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw FileError(operation: "list", path: path, errno: errno) }
        defer { closedir(dir) }
        var out: [[UInt8]] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { throw FileError(operation: "list", path: path, errno: errno) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> [UInt8] in
                let bytes = raw.bindMemory(to: UInt8.self)
                return Array(bytes.prefix { $0 != 0 })
            }
            if name == [46] || name == [46, 46] { continue }
            out.append(name)
        }
        return out.sorted { $0.lexicographicallyPrecedes($1) }.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Removes `path` and everything under it; a missing path is not an error. Symlinks are not followed.
    static func removeTree(_ path: String) throws {
        guard let entry = try entry(path) else { return }
        if entry.kind == .directory {
            for name in try names(in: path) { try removeTree(path + "/" + name) }
            guard rmdir(path) == 0 || errno == ENOENT else {
                throw FileError(operation: "remove", path: path, errno: errno)
            }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else {
                throw FileError(operation: "remove", path: path, errno: errno)
            }
        }
    }

    /// Creates folder `path` (parent must exist); an existing folder is an error unless `allowExisting`.
    static func makeDirectory(_ path: String, allowExisting: Bool = false) throws {
        if mkdir(path, 0o755) != 0 {
            if allowExisting && errno == EEXIST, try entry(path)?.kind == .directory { return }
            throw FileError(operation: "create folder", path: path, errno: errno)
        }
    }

    /// Copies the regular file `source` to the new file `target` in 1 MiB blocks, keeping its mode
    /// and modification time (to the nanosecond), and fsyncs it.
    static func copyFile(_ source: String, to target: String) throws {
        let input = try SystemCall.onFile("open", source) { open(source, O_RDONLY | O_CLOEXEC) }
        defer { close(input) }
        var info = stat()
        try SystemCall.onFile("stat", source) { fstat(input, &info) }
        let output = try SystemCall.onFile("create", target) {
            open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, info.st_mode & 0o777)
        }
        defer { close(output) }
        let size = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let got = try SystemCall.onFile("read", source) { read(input, buffer.baseAddress, size) }
            if got == 0 { break }
            try DurableFile.writeAll(
                fd: output, buffer: UnsafeRawBufferPointer(rebasing: buffer[0..<got]), path: target)
        }
        var times = [info.st_atim, info.st_mtim]
        try SystemCall.onFile("set the time of", target) { futimens(output, &times) }
        try SystemCall.onFile("fsync", target) { fsync(output) }
    }

    /// fsyncs the file at `path`.
    static func syncFile(_ path: String) throws {
        let fd = try SystemCall.onFile("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        try SystemCall.onFile("fsync", path) { fsync(fd) }
    }

    /// fsyncs folder `path`.
    static func syncDirectory(_ path: String) throws {
        try DurableFile.syncDirectory(path)
    }

    /// Writes `bytes` to the new file `path` and fsyncs it.
    static func writeNewFile(_ path: String, _ bytes: [UInt8]) throws {
        let fd = try SystemCall.onFile("create", path) { open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        defer { close(fd) }
        try DurableFile.writeAll(fd: fd, bytes: bytes, path: path)
        try SystemCall.onFile("fsync", path) { fsync(fd) }
    }

    /// The whole content of a small file.
    static func readFile(_ path: String, limit: Int = 16 << 20) throws -> [UInt8] {
        let fd = try SystemCall.onFile("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let got = try buffer.withUnsafeMutableBytes { bytes in
                try SystemCall.onFile("read", path) { read(fd, bytes.baseAddress, bytes.count) }
            }
            if got == 0 { break }
            out.append(contentsOf: buffer[0..<got])
            if out.count > limit {
                throw PackagingError(.badInput, "\(path) is larger than \(limit) bytes; it is not a small text file")
            }
        }
        return out
    }

    /// The last path component.
    static func baseName(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return trimmed.split(separator: "/").last.map(String.init) ?? String(trimmed)
    }

    /// The canonical absolute path (symlinks resolved), or nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

extension FileTree {
    /// Copies folder `source` to the new folder `target`: files with their modes and times (fsynced),
    /// symlinks as links, folders fsynced after their contents.
    static func copyTree(_ source: String, to target: String) throws {
        try makeDirectory(target)
        for name in try names(in: source) {
            let from = source + "/" + name, to = target + "/" + name
            guard let entry = try entry(from) else { continue }
            switch entry.kind {
            case .directory:
                try copyTree(from, to: to)
            case .file:
                try copyFile(from, to: to)
            case .symlink:
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let count = readlink(from, &buffer, buffer.count - 1)
                guard count >= 0 else { throw FileError(operation: "read the link", path: from, errno: errno) }
                let destination = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                try SystemCall.onFile("create the link", to) { symlink(destination, to) }
            case .other:
                throw PackagingError(.badInput, "\(from) is not a file, folder or link; remove it before publishing")
            }
        }
        try syncDirectory(target)
    }
}
