import Essentials

/// The byte sink behind a ``TarAppender``'s libarchive handle: writes at its own offset, coalesces
/// libarchive's small writes (headers, padding), writes borrowed data without copying, and hashes
/// every byte in order.
///
/// Confined to the thread that owns the appender (libarchive calls it synchronously from there).
final class TarSink {
    let fd: Int32
    let path: String
    /// The file offset the next byte goes to.
    private(set) var offset: Int64
    /// When true, writes are swallowed (used to free libarchive without an end-of-archive trailer).
    var discard = false
    /// The first write failure since the last ``rewind(to:)``.
    private(set) var failure: FileError?

    private var pending: [UInt8] = []
    /// Where the next ``startWriteback()`` range begins.
    private var writebackStart: Int64 = 0
    private var md5: MD5
    private var checkpointMD5: MD5
    private let hasher: BackgroundMD5?
    /// The caller's array libarchive is writing from right now, the address of its storage, and
    /// whether it came from the hashing thread's pool.
    private var borrowed: (base: UnsafeRawPointer, count: Int, owner: [UInt8], pooled: Bool)?

    /// Writes shorter than this (that are not borrowed data) are gathered in `pending`.
    private static let smallWrite = 64 << 10
    private static let pendingLimit = 256 << 10
    /// How much is written before the kernel is asked to start writing it to disk.
    private static let writebackChunk: Int64 = 32 << 20

    init(fd: Int32, path: String, offset: Int64, md5: MD5, hashOnSeparateThread: Bool) {
        self.fd = fd
        self.path = path
        self.offset = offset
        self.writebackStart = offset
        self.md5 = md5
        self.checkpointMD5 = md5
        self.hasher = hashOnSeparateThread ? BackgroundMD5(starting: md5) : nil
        // `pending` grows only as needed: a download keeps dozens of tars open, and its members' data is lent,
        // so only headers and padding gather here (a 256 KiB reserve per open tar was most of its memory).
    }

    /// Runs `body` with the first `count` bytes of `owner`; while it runs, libarchive writes from
    /// them go out without a copy. A `pooled` buffer (from ``takeReadBuffer(size:)``) goes back to the
    /// pool once hashed.
    func lending<T>(
        _ owner: [UInt8], count: Int? = nil, pooled: Bool = false,
        _ body: (UnsafeRawBufferPointer) throws -> T
    ) rethrows -> T {
        let used = min(count ?? owner.count, owner.count)
        defer {
            if pooled, let hasher { hasher.submit(owner, range: 0..<0, pooled: true) }
        }
        return try owner.withUnsafeBytes { whole in
            let buffer = UnsafeRawBufferPointer(rebasing: whole[0..<used])
            if let base = buffer.baseAddress { borrowed = (base, buffer.count, owner, pooled) }
            defer { borrowed = nil }
            return try body(buffer)
        }
    }

    /// Returns a buffer from ``takeReadBuffer(size:)`` that was not lent (nothing was read into it).
    func giveBack(_ buffer: [UInt8]) {
        hasher?.submit(buffer, range: 0..<0, pooled: true)
    }

    /// True when hashing runs on a worker thread.
    var hashesOnSeparateThread: Bool { hasher != nil }

    /// A read buffer from the hashing thread's pool (nil when hashing inline): reusing buffers
    /// avoids page faults on fresh memory for every chunk.
    func takeReadBuffer(size: Int) -> [UInt8]? {
        hasher?.takeBuffer(size: size)
    }

    /// libarchive's write callback: returns `count`, or -1 after recording a failure.
    func write(_ pointer: UnsafeRawPointer, _ count: Int) -> Int {
        if discard { return count }
        if failure != nil { return -1 }
        let chunk = UnsafeRawBufferPointer(start: pointer, count: count)
        var lent: (owner: [UInt8], start: Int)?
        if let borrowed, pointer >= borrowed.base, pointer + count <= borrowed.base + borrowed.count {
            lent = (borrowed.owner, pointer - borrowed.base)
        }
        if hasher == nil { md5.update(chunk) }
        if lent == nil && count < Self.smallWrite {
            pending.append(contentsOf: chunk)
            if pending.count >= Self.pendingLimit && !flushPending() { return -1 }
            return count
        }
        do {
            try pending.withUnsafeBytes { gathered in try writeAll([gathered, chunk]) }
        } catch let error as FileError {
            failure = error
            return -1
        } catch {
            return -1
        }
        if let hasher {
            handPendingToHasher()
            if let lent {
                hasher.submit(lent.owner, range: lent.start..<(lent.start + count))
            } else {
                hasher.submit(Array(chunk), range: 0..<count)
            }
        } else {
            pending.removeAll(keepingCapacity: true)
        }
        return count
    }

    /// Writes the gathered small writes; false (with ``failure`` set) when the write failed.
    @discardableResult
    func flushPending() -> Bool {
        guard !pending.isEmpty, !discard else { return failure == nil }
        do {
            try pending.withUnsafeBytes { try writeAll([$0]) }
        } catch let error as FileError {
            failure = error
            return false
        } catch {
            return false
        }
        if hasher != nil { handPendingToHasher() } else { pending.removeAll(keepingCapacity: true) }
        return true
    }

    /// Asks the kernel to start writing what was written since the last call to disk, without
    /// waiting, so a later fsync has little left to do (Linux; elsewhere a no-op).
    func startWriteback() {
        #if os(Linux)
        guard offset > writebackStart else { return }
        _ = posix_fadvise(fd, off_t(writebackStart), off_t(offset - writebackStart), POSIX_FADV_DONTNEED)
        writebackStart = offset
        #endif
    }

    /// Marks the start of a member, so a failed member can be rewound.
    func markCheckpoint() {
        if let hasher { hasher.markCheckpoint() } else { checkpointMD5 = md5 }
    }

    /// Forgets unwritten bytes and the failure, moves the offset back to `offset`, and rewinds the checksum.
    func rewind(to offset: Int64) {
        pending.removeAll(keepingCapacity: true)
        failure = nil
        self.offset = offset
        writebackStart = min(writebackStart, offset)
        if let hasher { hasher.restoreCheckpoint() } else { md5 = checkpointMD5 }
    }

    /// The running checksum over every byte written so far (waits for background hashing).
    func currentMD5() -> MD5 {
        hasher?.drain() ?? md5
    }

    /// Ends background hashing; the sink keeps answering ``currentMD5()``.
    func stopHashing() {
        if let hasher { md5 = hasher.stop() }
    }

    private func handPendingToHasher() {
        guard let hasher, !pending.isEmpty else { return }
        let full = pending
        pending = []
        hasher.submit(full, range: 0..<full.count)
    }

    /// pwritev of `buffers` at `offset`, retrying short writes and EINTR; advances `offset`.
    private func writeAll(_ buffers: [UnsafeRawBufferPointer]) throws {
        var vectors = buffers.compactMap { buffer -> iovec? in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return nil }
            return iovec(iov_base: UnsafeMutableRawPointer(mutating: base), iov_len: buffer.count)
        }
        var index = 0
        while index < vectors.count {
            let written = try vectors.withUnsafeBufferPointer { all in
                try SystemCall.onFile("write", path) {
                    pwritev(fd, all.baseAddress! + index, Int32(all.count - index), off_t(offset))
                }
            }
            if written == 0 { throw FileError(operation: "write", path: path, errno: EIO) }
            offset += Int64(written)
            if offset - writebackStart >= Self.writebackChunk { startWriteback() }
            var left = written
            while left > 0 {
                if left >= vectors[index].iov_len {
                    left -= vectors[index].iov_len
                    index += 1
                } else {
                    vectors[index].iov_base += left
                    vectors[index].iov_len -= left
                    left = 0
                }
            }
        }
    }
}
