import Essentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// MD5s of files and of file regions, read in 1 MiB blocks on a dedicated thread.
enum Hashing {
    /// The MD5 of a whole file; `progress` gets the bytes read so far.
    static func file(_ file: ItemFile, progress: (@Sendable (Int64) -> Void)? = nil) async throws -> String {
        try await DedicatedThread.run(name: "ia-hash") {
            do {
                return try FileDigest.md5(path: file.path, progress: progress).md5
            } catch let error as FileError {
                throw InternetArchiveError(.badItem, "\(error); check the file and run upload again")
            }
        }
    }

    /// One part: its own MD5, and `running` (the whole file's MD5 up to the part's start) carried past it.
    struct PartResult: Sendable {
        let md5: String
        let running: MD5?
    }

    /// The MD5 of `length` bytes of `file` from `offset`, also fed into `running` when given.
    static func part(_ file: ItemFile, offset: Int64, length: Int64, running: MD5?,
                     progress: (@Sendable (Int64) -> Void)? = nil) async throws -> PartResult {
        try await DedicatedThread.run(name: "ia-hash") {
            try partNow(file, offset: offset, length: length, running: running, progress: progress)
        }
    }

    private static func partNow(_ file: ItemFile, offset: Int64, length: Int64, running: MD5?,
                                progress: (@Sendable (Int64) -> Void)?) throws -> PartResult {
        let fd = open(file.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", file, errno) }
        defer { close(fd) }
        var md5 = MD5()
        var whole = running
        let blockSize = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 16)
        defer { buffer.deallocate() }
        var done: Int64 = 0
        while done < length {
            let want = Int(min(Int64(blockSize), length - done))
            let got = pread(fd, buffer.baseAddress, want, off_t(offset + done))
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw failure("read", file, errno) }
            guard got > 0 else {
                throw InternetArchiveError(.fileChanged, "\(file.path) became shorter while it was being read; run "
                                           + "upload again when nothing writes to it")
            }
            let block = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
            md5.update(block)
            whole?.update(block)
            done += Int64(got)
            progress?(done)
        }
        return PartResult(md5: md5.hexDigest(), running: whole)
    }

    private static func failure(_ operation: String, _ file: ItemFile, _ code: Int32) -> InternetArchiveError {
        InternetArchiveError(.badItem, "\(FileError(operation: operation, path: file.path, errno: code)); check the "
                             + "file and run upload again")
    }
}
