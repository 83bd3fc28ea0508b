import Essentials

/// MD5s of files and of file regions, read in 1 MiB blocks on a dedicated thread.
enum Hashing {
    /// The MD5 of a whole file; `progress` gets the bytes read so far.
    static func file(_ file: ItemFile, progress: (@Sendable (Int64) -> Void)? = nil) async throws -> String {
        try await onHashingThread { try FileDigest.md5(path: file.path, progress: progress).md5 }
    }

    /// One part: its own MD5, and `running` (the whole file's MD5 up to the part's start) carried past it.
    struct PartResult: Sendable {
        let md5: String
        let running: MD5?
    }

    /// The MD5 of `length` bytes of `file` from `offset`, also fed into `running` when given.
    static func part(
        _ file: ItemFile, offset: Int64, length: Int64, running: MD5?,
        progress: (@Sendable (Int64) -> Void)? = nil
    ) async throws -> PartResult {
        try await onHashingThread {
            try partNow(file, offset: offset, length: length, running: running, progress: progress)
        }
    }

    /// Runs `work` on a thread of its own; a failed system call fails the item with ``FileError``'s sentence.
    private static func onHashingThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await DedicatedThread.run(name: "ia-hash") {
            do {
                return try work()
            } catch let error as FileError {
                throw InternetArchiveError(.badItem, "\(error); check the file and run upload again")
            }
        }
    }

    private static func partNow(
        _ file: ItemFile, offset: Int64, length: Int64, running: MD5?,
        progress: (@Sendable (Int64) -> Void)?
    ) throws -> PartResult {
        let fd = try SystemCall.onFile("open", file.path) { open(file.path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var md5 = MD5()
        var whole = running
        let read = try FileDigest.forEachBlock(of: fd, path: file.path, offset: offset, length: length) { block, done in
            md5.update(block)
            whole?.update(block)
            progress?(done)
        }
        guard read == length else {
            throw InternetArchiveError(
                .fileChanged,
                "\(file.path) became shorter while it was being read; run "
                    + "upload again when nothing writes to it")
        }
        return PartResult(md5: md5.hexDigest(), running: whole)
    }
}
