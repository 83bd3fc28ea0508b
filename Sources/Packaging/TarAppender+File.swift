import Essentials

extension TarAppender {
    /// The size of each read from a source file.
    static let fileChunkSize = 1 << 20

    /// Appends the regular file at `source` as `member`, streaming it in 1 MiB reads (never loaded
    /// whole), and returns the new ``length``.
    ///
    /// The member's size is the file's size when opened; a file that grows or shrinks while it is
    /// read is refused and the tar is rewound. `mtime` defaults to the file's own (whole seconds).
    /// `progress` receives the bytes of each chunk as it is written.
    @discardableResult
    public func append(
        member: String, contentsOfFile source: String, mtime: Int64? = nil,
        progress: (Int) -> Void = { _ in }
    ) throws -> Int64 {
        let fd = try SystemCall.onFile("open", source) { open(source, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var info = stat()
        try SystemCall.onFile("stat", source) { fstat(fd, &info) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw PackagingError(.badInput, "\(source) is not a regular file; only files can go into a tar")
        }
        #if canImport(Glibc)
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        #endif
        let size = Int64(info.st_size)
        let (sink, archive) = try beginMember(member, size: size, mtime: mtime ?? Int64(info.st_mtim.tv_sec))
        do {
            var done: Int64 = 0
            var inlineBuffer: [UInt8] = []
            while done < size {
                let want = Int(min(Int64(Self.fileChunkSize), size - done))
                // A pooled buffer when hashing on the worker thread; else one buffer for the whole file
                // (moved out of `inlineBuffer` so it is uniquely held and filled without a copy).
                let pooled = sink.hashesOnSeparateThread
                var chunk: [UInt8]
                if let fromPool = sink.takeReadBuffer(size: Self.fileChunkSize) {
                    chunk = fromPool
                } else {
                    chunk = inlineBuffer.isEmpty ? [UInt8](repeating: 0, count: Self.fileChunkSize) : inlineBuffer
                    inlineBuffer = []
                }
                let got: Int
                do {
                    got = try Self.read(fd: fd, path: source, into: &chunk, count: want)
                } catch {
                    if pooled { sink.giveBack(chunk) }
                    throw error
                }
                if got == 0 {
                    if pooled { sink.giveBack(chunk) }
                    break
                }
                try sink.lending(chunk, count: got, pooled: pooled) { buffer in
                    try writeData(buffer, archive: archive, member: member)
                }
                if !pooled { inlineBuffer = chunk }
                done += Int64(got)
                progress(got)
            }
            var probe = [UInt8](repeating: 0, count: 1)
            let grew = done == size ? try Self.read(fd: fd, path: source, into: &probe, count: 1) > 0 : false
            if done < size || grew {
                throw PackagingError(
                    .sizeMismatch,
                    "\(source) changed size while it was being packed; nothing of it was added to \(path): run again once nothing writes to it"
                )
            }
            return try endMember(member, written: done, declared: size, archive: archive)
        } catch {
            rewind()
            throw error
        }
    }

    /// Reads up to `count` bytes into the start of `buffer` (fewer only at end of file); returns how many.
    private static func read(fd: Int32, path: String, into buffer: inout [UInt8], count: Int) throws -> Int {
        try buffer.withUnsafeMutableBytes { raw in
            var filled = 0
            while filled < count {
                let got = try SystemCall.onFile("read", path) {
                    Glibc.read(fd, raw.baseAddress! + filled, count - filled)
                }
                if got == 0 { break }
                filled += got
            }
            return filled
        }
    }
}
