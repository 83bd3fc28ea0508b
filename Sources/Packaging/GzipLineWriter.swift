import CZlib
import Essentials

/// Writes `metadata.jsonl.gz`: one record per line, exactly the bytes given, streamed through
/// zlib at level 9 into a gzip file with a fixed header (mtime 0, no file name), so the same
/// records always give the same bytes.
///
/// Not thread-safe: one owner. The file is written in place; ``finish()`` fsyncs it.
public final class GzipLineWriter {
    /// The path of the gzip file.
    public let path: String
    /// Lines appended so far.
    public private(set) var lineCount = 0

    private var fd: Int32
    private let stream: UnsafeMutablePointer<z_stream>
    private var crc: uLong = crc32(0, nil, 0)
    private var inputSize: UInt64 = 0
    private var output: [UInt8]
    private var md5 = MD5()
    private var written: Int64 = 0
    private var finished = false

    private static let outputSize = 256 << 10
    /// gzip header: magic, deflate, no flags, mtime 0, "max compression", OS unknown (as Python writes it).
    private static let header: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]

    /// Creates (or truncates) the gzip file at `path`.
    public init(path: String, level: Int32 = 9) throws {
        self.path = path
        fd = try SystemCall.onFile("create", path) { open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        output = [UInt8](repeating: 0, count: Self.outputSize)
        // Raw deflate (negative window bits): this writer adds the gzip header and trailer itself.
        // On a failure below, deinit runs (every property is set) and frees the stream and the descriptor once.
        guard czlib_deflate_init2(stream, level, -15, 8) == Z_OK else {
            throw PackagingError(.compression, "zlib could not start compressing \(path); the system is out of memory")
        }
        try writeOut(Self.header)
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        if fd >= 0 { close(fd) }
    }

    /// Appends one record and a newline. A record that itself contains a newline is refused.
    public func append(line: [UInt8]) throws {
        guard !finished else {
            throw PackagingError(.misuse, "\(path) was already finished; open a new GzipLineWriter")
        }
        if line.contains(UInt8(ascii: "\n")) {
            throw PackagingError(
                .badInput, "a record for \(path) contains a line break; records must be single-line JSON")
        }
        try line.withUnsafeBytes { try compress($0, flush: Z_NO_FLUSH) }
        try [UInt8(ascii: "\n")].withUnsafeBytes { try compress($0, flush: Z_NO_FLUSH) }
        lineCount += 1
    }

    /// Ends the stream (gzip trailer), fsyncs and closes the file; returns its size and MD5.
    public func finish() throws -> FileSummary {
        guard !finished else {
            throw PackagingError(.misuse, "\(path) was already finished; open a new GzipLineWriter")
        }
        try compress(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
        var trailer = [UInt8]()
        for value in [UInt32(truncatingIfNeeded: crc), UInt32(truncatingIfNeeded: inputSize)] {
            for shift in stride(from: 0, to: 32, by: 8) {
                trailer.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
            }
        }
        try writeOut(trailer)
        try SystemCall.onFile("fsync", path) { fsync(fd) }
        close(fd)
        fd = -1
        finished = true
        return FileSummary(size: written, md5: md5.hexDigest())
    }

    private func compress(_ input: UnsafeRawBufferPointer, flush: Int32) throws {
        if let base = input.baseAddress, input.count > 0 {
            crc = crc32(crc, base.assumingMemoryBound(to: Bytef.self), uInt(input.count))
            inputSize &+= UInt64(input.count)
        }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        while true {
            let (status, produced) = output.withUnsafeMutableBytes { out -> (Int32, Int) in
                stream.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(out.count)
                let status = deflate(stream, flush)
                return (status, out.count - Int(stream.pointee.avail_out))
            }
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw PackagingError(.compression, "zlib failed (code \(status)) while compressing \(path); run again")
            }
            if produced > 0 {
                try output.withUnsafeBytes { try writeOut(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
            }
            if flush == Z_FINISH {
                if status == Z_STREAM_END { break }
            } else if stream.pointee.avail_in == 0 && produced < output.count {
                break
            }
        }
        stream.pointee.next_in = nil
    }

    private func writeOut(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeOut($0) }
    }

    private func writeOut(_ bytes: UnsafeRawBufferPointer) throws {
        try DurableFile.writeAll(fd: fd, buffer: bytes, path: path)
        md5.update(bytes)
        written += Int64(bytes.count)
    }
}
