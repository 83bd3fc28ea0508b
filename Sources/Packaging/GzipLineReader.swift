import CZlib
import Essentials

/// Reads a gzip file (one or more members) line by line with constant memory.
///
/// Lines come back without their `\n`; a last line without one is returned too. A corrupt or
/// truncated stream, or a line longer than `maxLineLength`, throws. Not thread-safe: one owner.
public final class GzipLineReader {
    /// The path of the gzip file.
    public let path: String
    /// The number of lines returned so far.
    public private(set) var lineNumber = 0

    private let fd: Int32
    private let stream: UnsafeMutablePointer<z_stream>
    private var input: [UInt8]
    private var inputStart = 0
    private var inputEnd = 0
    private var fileEnded = false
    private var memberEnded = false
    private var sawAnyMember = false
    private var pending: [UInt8] = []
    private var cursor = 0
    private var finished = false
    private let maxLineLength: Int

    private static let chunk = 256 << 10

    /// Opens `path`; the first read checks that it is gzip.
    public init(path: String, maxLineLength: Int = 64 << 20) throws {
        self.path = path
        self.maxLineLength = maxLineLength
        fd = try SystemCall.onFile("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = [UInt8](repeating: 0, count: Self.chunk)
        // 15 + 16: gzip only.
        guard czlib_inflate_init2(stream, 15 + 16) == Z_OK else {
            close(fd)
            stream.deallocate()
            throw PackagingError(.compression, "zlib could not start reading \(path); the system is out of memory")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        close(fd)
    }

    /// Calls `body` with every line of the gzip file at `path`.
    public static func forEachLine(path: String, _ body: ([UInt8]) throws -> Void) throws {
        let reader = try GzipLineReader(path: path)
        while let line = try reader.nextLine() { try body(line) }
    }

    /// The next line without its newline, or nil at the end of the file.
    public func nextLine() throws -> [UInt8]? {
        var searchFrom = cursor
        while true {
            if let newline = pending[searchFrom...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(pending[cursor..<newline])
                cursor = newline + 1
                lineNumber += 1
                return line
            }
            if pending.count - cursor > maxLineLength {
                throw PackagingError(
                    .badInput,
                    "line \(lineNumber + 1) of \(path) is longer than \(maxLineLength) bytes; the file is not line-based records"
                )
            }
            if finished {
                guard cursor < pending.count else { return nil }
                let line = Array(pending[cursor...])
                cursor = pending.count
                lineNumber += 1
                return line
            }
            if cursor > 0 {
                pending.removeFirst(cursor)
                cursor = 0
            }
            searchFrom = pending.count
            try inflateMore()
        }
    }

    /// Decompresses the next piece into `pending`, or sets `finished`.
    private func inflateMore() throws {
        if inputStart == inputEnd && !fileEnded {
            try refill()
            return
        }
        if memberEnded {
            // Another gzip member may follow (concatenated files); trailing zero bytes are padding.
            if input[inputStart..<inputEnd].allSatisfy({ $0 == 0 }) {
                inputStart = inputEnd
                if fileEnded { finished = true }
                return
            }
            guard inflateReset(stream) == Z_OK else { throw corrupt("zlib could not start its next member") }
            memberEnded = false
        }
        if inputStart == inputEnd {
            throw corrupt(sawAnyMember ? "it ends in the middle of the compressed data (truncated)" : "it is empty")
        }
        let before = pending.count
        pending.reserveCapacity(before + Self.chunk)
        let status = input.withUnsafeMutableBytes { inBuffer -> Int32 in
            stream.pointee.next_in = inBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self) + inputStart
            stream.pointee.avail_in = uInt(inputEnd - inputStart)
            var status: Int32 = Z_OK
            let room = Self.chunk
            pending.append(contentsOf: repeatElement(0, count: room))
            pending.withUnsafeMutableBytes { out in
                stream.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self) + before
                stream.pointee.avail_out = uInt(room)
                status = inflate(stream, Z_NO_FLUSH)
            }
            let produced = room - Int(stream.pointee.avail_out)
            pending.removeLast(room - produced)
            inputStart = inputEnd - Int(stream.pointee.avail_in)
            return status
        }
        sawAnyMember = true
        switch status {
        case Z_STREAM_END:
            memberEnded = true
        case Z_OK, Z_BUF_ERROR:
            break
        case Z_DATA_ERROR:
            throw corrupt("it is not gzip or its data is damaged")
        default:
            throw corrupt("zlib failed with code \(status)")
        }
    }

    private func refill() throws {
        let got = try input.withUnsafeMutableBytes { bytes in
            try SystemCall.onFile("read", path) { Glibc.read(fd, bytes.baseAddress, bytes.count) }
        }
        inputStart = 0
        inputEnd = got
        if got == 0 { fileEnded = true }
    }

    private func corrupt(_ reason: String) -> PackagingError {
        PackagingError(.compression, "\(path) cannot be read as gzip: \(reason); restore it or remove it")
    }
}
