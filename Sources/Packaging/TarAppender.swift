import CArchive
import Essentials

/// One tar file, appended member by member through libarchive (pax-restricted format).
///
/// Members are regular files with uid/gid 0, empty owner names, mode 0644 and the given mtime
/// (whole seconds). The appender keeps a running MD5 of the tar's bytes: store ``length`` and
/// ``md5State`` together after ``sync()``, and reopen with both after a crash; the file is then
/// truncated to that length (a torn tail disappears) and appended from there.
///
/// A failed append (disk full, a bad name, a size mismatch) throws and rewinds the file to its
/// length before that member; the appender stays usable. Not thread-safe: one owner thread or task.
public final class TarAppender {
    /// The path of the tar file.
    public let path: String
    /// The end offset of the last complete member: 512-aligned, without the end-of-archive blocks.
    public private(set) var length: Int64

    private var sink: TarSink?
    private var archive: OpaquePointer?
    private var finalMD5: MD5?
    /// Set when a rewind failed: the file tail is unknown, so only ``suspend()`` is allowed.
    private var broken: FileError?

    /// Opens `path` (created when missing) at `committedLength`, truncating anything past it.
    ///
    /// - Parameters:
    ///   - committedLength: the length stored with the caller's state; 0 for a new tar.
    ///   - md5State: ``md5State`` saved with that length; when nil or unreadable, the committed bytes
    ///     are read once to rebuild it.
    ///   - hashOnSeparateThread: hash on a worker thread so hashing overlaps I/O (for bulk packaging).
    /// - Throws: ``PackagingError`` `.shortTar` when the file is shorter than `committedLength`.
    public init(
        path: String, committedLength: Int64 = 0, md5State: [UInt8]? = nil,
        hashOnSeparateThread: Bool = false
    ) throws {
        guard committedLength >= 0, committedLength % 512 == 0 else {
            throw PackagingError(
                .misuse,
                "the committed length \(committedLength) of \(path) is not a multiple of 512; pass the length TarAppender reported"
            )
        }
        let fd = try SystemCall.onFile("open", path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        do {
            var info = stat()
            try SystemCall.onFile("stat", path) { fstat(fd, &info) }
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                throw PackagingError(.misuse, "\(path) is not a regular file; remove it or choose another tar name")
            }
            let size = Int64(info.st_size)
            if size < committedLength {
                throw PackagingError(
                    .shortTar,
                    "the tar \(path) is \(size) bytes, shorter than its committed length \(committedLength); it was changed outside this tool: restore it from a backup or remove the item's staging folder to start over"
                )
            }
            if size > committedLength && ftruncate(fd, off_t(committedLength)) != 0 {
                throw FileError(operation: "truncate", path: path, errno: errno)
            }
            var md5: MD5
            if committedLength == 0 {
                md5 = MD5()
            } else if let md5State, let restored = MD5(savedState: md5State) {
                md5 = restored
            } else {
                md5 = try Self.hashPrefix(fd: fd, path: path, length: committedLength)
            }
            self.path = path
            self.length = committedLength
            self.sink = TarSink(
                fd: fd, path: path, offset: committedLength, md5: md5,
                hashOnSeparateThread: hashOnSeparateThread)
        } catch {
            close(fd)
            throw error
        }
    }

    deinit {
        guard let sink else { return }
        freeArchive(discarding: true)
        sink.stopHashing()
        close(sink.fd)
    }

    /// True until ``suspend()`` or ``finish()``.
    public var isOpen: Bool { sink != nil }

    /// The running MD5 state of the first ``length`` bytes, for `MD5(savedState:)` / reopening.
    public var md5State: [UInt8] { currentMD5().savedState }

    /// Appends one member holding `bytes` and returns the new ``length`` (the member's end offset).
    /// The bytes are written straight from the array, not copied.
    @discardableResult
    public func append(member: String, bytes: [UInt8], mtime: Int64) throws -> Int64 {
        let (sink, archive) = try beginMember(member, size: Int64(bytes.count), mtime: mtime)
        do {
            try sink.lending(bytes) { buffer in try writeData(buffer, archive: archive, member: member) }
            return try endMember(member, written: Int64(bytes.count), declared: Int64(bytes.count), archive: archive)
        } catch {
            rewind()
            throw error
        }
    }

    /// fsyncs the tar, so that ``length`` and ``md5State`` can be committed.
    public func sync() throws {
        let sink = try openSink()
        guard sink.flushPending() else { throw failure(of: sink, doing: "write") }
        try SystemCall.onFile("fsync", path) { fsync(sink.fd) }
    }

    /// fsyncs and closes the file without end-of-archive blocks, to free its descriptor (reopen with
    /// ``length`` and ``md5State``). The descriptor is closed even when the fsync fails.
    public func suspend() throws {
        guard let sink else { return }
        freeArchive(discarding: true)
        let ok = broken == nil && sink.flushPending() && fsync(sink.fd) == 0
        let code = errno
        sink.stopHashing()
        finalMD5 = sink.currentMD5()
        close(sink.fd)
        self.sink = nil
        if let broken { throw broken }
        if !ok { throw FileError(operation: "fsync", path: path, errno: code) }
    }

    /// Writes the two end-of-archive blocks, fsyncs and closes; returns the final size and MD5.
    /// On failure the file is rewound to ``length`` and the appender stays open, so it can be retried.
    ///
    /// - Parameter sync: false skips the fsync (the disk write is only started): for bulk packaging,
    ///   where the caller fsyncs every file once before publishing.
    public func finish(sync: Bool = true) throws -> FileSummary {
        let sink = try openSink()
        let archive = try archiveHandle()
        sink.markCheckpoint()
        let closed = archive_write_close(archive)
        if closed != ARCHIVE_OK || !sink.flushPending() {
            let error = failure(of: sink, doing: "write the end of", archive: archive)
            rewind()
            throw error
        }
        freeArchive(discarding: true)
        if sync {
            guard fsync(sink.fd) == 0 else {
                let error = FileError(operation: "fsync", path: path, errno: errno)
                rewind()
                throw error
            }
        } else {
            sink.startWriteback()
        }
        sink.stopHashing()
        let md5 = sink.currentMD5()
        length = sink.offset
        close(sink.fd)
        self.sink = nil
        finalMD5 = md5
        return FileSummary(size: length, md5: md5.hexDigest())
    }

    // MARK: - Member steps (shared with appending from a file)

    /// Checks the name, writes the member's header, and returns the open sink and archive.
    func beginMember(_ member: String, size: Int64, mtime: Int64) throws -> (TarSink, OpaquePointer) {
        if let problem = MemberName.problem(member) { throw PackagingError(.unsafeName, problem) }
        let sink = try openSink()
        let archive = try archiveHandle()
        sink.markCheckpoint()
        guard let entry = archive_entry_new() else {
            throw PackagingError(
                .archive, "libarchive could not allocate an entry for \(member) in \(path); the system is out of memory"
            )
        }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, member)
        archive_entry_set_filetype(entry, carchive_ifreg)
        archive_entry_set_perm(entry, 0o644)
        archive_entry_set_size(entry, size)
        archive_entry_set_mtime(entry, time_t(mtime), 0)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        if archive_write_header(archive, entry) != ARCHIVE_OK {
            let error = failure(of: sink, doing: "write the header of \(member) to", archive: archive)
            rewind()
            throw error
        }
        return (sink, archive)
    }

    /// Hands `buffer` to libarchive in full; throws when it stops accepting bytes.
    func writeData(_ buffer: UnsafeRawBufferPointer, archive: OpaquePointer, member: String) throws {
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {
            let written = archive_write_data(archive, base + offset, buffer.count - offset)
            if written <= 0 {
                if written == 0 {
                    throw PackagingError(
                        .sizeMismatch, "\(member) has more bytes than its declared size; nothing was added to \(path)")
                }
                throw failure(of: sink, doing: "write \(member) to", archive: archive)
            }
            offset += written
        }
    }

    /// Checks the byte count, finishes the member (padding) and writes it out; returns the new length.
    func endMember(_ member: String, written: Int64, declared: Int64, archive: OpaquePointer) throws -> Int64 {
        guard written == declared else {
            throw PackagingError(
                .sizeMismatch,
                "\(member) was declared as \(declared) bytes but \(written) were given; nothing was added to \(path)")
        }
        guard let sink else { throw closedError() }
        guard archive_write_finish_entry(archive) == ARCHIVE_OK, sink.flushPending() else {
            throw failure(of: sink, doing: "write \(member) to", archive: archive)
        }
        guard sink.offset % 512 == 0 else {
            throw PackagingError(
                .archive,
                "libarchive ended \(member) at offset \(sink.offset) of \(path), not on a 512-byte block; the tar was rewound"
            )
        }
        length = sink.offset
        return length
    }

    /// Drops the current libarchive handle and truncates the file back to ``length``.
    func rewind() {
        freeArchive(discarding: true)
        guard let sink else { return }
        sink.rewind(to: length)
        if ftruncate(sink.fd, off_t(length)) != 0 {
            broken = FileError(operation: "truncate", path: path, errno: errno)
        }
    }

    // MARK: - Internals

    private func openSink() throws -> TarSink {
        if let broken { throw broken }
        guard let sink else { throw closedError() }
        return sink
    }

    private func closedError() -> PackagingError {
        PackagingError(.misuse, "the tar \(path) was already closed; open a new TarAppender to add to it")
    }

    private func currentMD5() -> MD5 {
        sink?.currentMD5() ?? finalMD5 ?? MD5()
    }

    /// The libarchive handle, made on first use after open or a rewind.
    private func archiveHandle() throws -> OpaquePointer {
        if let archive { return archive }
        guard let sink else { throw closedError() }
        guard let handle = archive_write_new() else {
            throw PackagingError(
                .archive, "libarchive could not start a writer for \(path); the system is out of memory")
        }
        let context = Unmanaged.passUnretained(sink).toOpaque()
        guard archive_write_set_format_pax_restricted(handle) == ARCHIVE_OK,
            archive_write_add_filter_none(handle) == ARCHIVE_OK,
            archive_write_set_bytes_per_block(handle, 0) == ARCHIVE_OK,
            archive_write_set_bytes_in_last_block(handle, 1) == ARCHIVE_OK,
            archive_write_open2(handle, context, nil, tarSinkWrite, nil, nil) == ARCHIVE_OK
        else {
            let message = Self.errorString(handle)
            archive_write_free(handle)
            throw PackagingError(.archive, "libarchive could not open \(path) for writing: \(message)")
        }
        archive = handle
        return handle
    }

    /// Frees the libarchive handle; when `discarding`, whatever it writes while closing is dropped.
    private func freeArchive(discarding: Bool) {
        guard let archive else { return }
        sink?.discard = discarding
        archive_write_free(archive)
        sink?.discard = false
        self.archive = nil
    }

    /// The error to report after a failed write: the file error if the disk refused, else libarchive's text.
    private func failure(of sink: TarSink?, doing what: String, archive: OpaquePointer? = nil) -> PackagingError {
        if let fileError = sink?.failure { return .file(fileError) }
        let message = archive.map(Self.errorString) ?? "unknown error"
        return PackagingError(.archive, "could not \(what) \(path): \(message)")
    }

    private static func errorString(_ archive: OpaquePointer) -> String {
        guard let text = archive_error_string(archive) else { return "libarchive gave no reason" }
        return String(cString: text)
    }

    /// The MD5 of the first `length` bytes of `fd`.
    private static func hashPrefix(fd: Int32, path: String, length: Int64) throws -> MD5 {
        var md5 = MD5()
        let read = try FileDigest.forEachBlock(of: fd, path: path, length: length) { block, _ in md5.update(block) }
        if read < length { throw FileError(operation: "read", path: path, errno: EIO) }
        return md5
    }
}

/// A finished file (tar, gzip): its size in bytes and MD5 (lowercase hex).
public struct FileSummary: Sendable, Equatable {
    public let size: Int64
    public let md5: String

    public init(size: Int64, md5: String) {
        self.size = size
        self.md5 = md5
    }
}

/// libarchive's write callback: forwards to the ``TarSink`` passed as client data.
private func tarSinkWrite(
    _ archive: OpaquePointer?, _ context: UnsafeMutableRawPointer?,
    _ buffer: UnsafeRawPointer?, _ count: Int
) -> Int {
    guard let context else { return -1 }
    guard let buffer, count > 0 else { return count }
    return Unmanaged<TarSink>.fromOpaque(context).takeUnretainedValue().write(buffer, count)
}
