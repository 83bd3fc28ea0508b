import Essentials

/// A connection's buffered input and raw output. Confined to the connection's thread.
final class ConnectionIO {
    /// One buffer per connection for request heads and bodies; large reads keep PUT bodies above 1 GB/s.
    static let bufferSize = 1 << 20

    enum HeadResult {
        case head([UInt8])
        /// End of stream, idle timeout or a broken connection before a complete head.
        case closed
        case tooLarge
    }

    let socket: ServerSocket
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    /// A read or write failed: the connection cannot carry another request.
    private(set) var broken = false

    init(socket: ServerSocket) {
        self.socket = socket
        self.buffer = .allocate(byteCount: ConnectionIO.bufferSize, alignment: 64)
    }

    deinit {
        buffer.deallocate()
    }

    var fd: Int32 { socket.fd }

    /// Reads up to the blank line that ends a request head (leading empty lines are skipped).
    func readHead(limit: Int, idleTimeoutMilliseconds: Int32) -> HeadResult {
        var scan = start
        while true {
            while start < end && (buffer[start] == 13 || buffer[start] == 10) { start += 1 }
            scan = max(scan, start)
            while scan < end {
                guard buffer[scan] == 10 else { scan += 1; continue }
                if scan + 1 >= end { break }
                if buffer[scan + 1] == 10 { return takeHead(upTo: scan, consumed: scan + 2, limit: limit) }
                if buffer[scan + 1] == 13 {
                    if scan + 2 >= end { break }
                    if buffer[scan + 2] == 10 { return takeHead(upTo: scan, consumed: scan + 3, limit: limit) }
                }
                scan += 1
            }
            if end - start >= limit { return .tooLarge }
            if start == end {
                start = 0
                end = 0
                scan = 0
                guard waitReadable(timeoutMilliseconds: idleTimeoutMilliseconds) else { return .closed }
            } else if end == buffer.count {
                compact(&scan)
            }
            guard receiveMore() > 0 else { return .closed }
        }
    }

    private func takeHead(upTo headEnd: Int, consumed: Int, limit: Int) -> HeadResult {
        guard headEnd - start <= limit else { return .tooLarge }
        let head = Array(UnsafeRawBufferPointer(rebasing: buffer[start..<headEnd]))
        start = consumed
        return .head(head)
    }

    /// Next body bytes, at most `maximum` (> 0), valid until the next read. Throws when the client went away.
    func readBytes(maximum: Int64) throws -> UnsafeRawBufferPointer {
        if start == end {
            start = 0
            end = 0
            guard receiveMore() > 0 else { throw closedError() }
        }
        let count = Int(min(Int64(end - start), maximum))
        defer { start += count }
        return UnsafeRawBufferPointer(rebasing: buffer[start..<(start + count)])
    }

    /// One line (without its LF or CRLF), for chunked framing. Throws on a line longer than `limit`.
    func readLine(limit: Int) throws -> [UInt8] {
        var scan = start
        while true {
            while scan < end {
                if buffer[scan] == 10 {
                    var lineEnd = scan
                    if lineEnd > start && buffer[lineEnd - 1] == 13 { lineEnd -= 1 }
                    let line = Array(UnsafeRawBufferPointer(rebasing: buffer[start..<lineEnd]))
                    start = scan + 1
                    return line
                }
                scan += 1
            }
            if end - start >= limit {
                broken = true
                throw HTTPServerError(
                    .malformedBody,
                    "a chunked request body has a framing line longer than \(limit) "
                        + "bytes; send valid chunked encoding")
            }
            if end == buffer.count { compact(&scan) }
            guard receiveMore() > 0 else { throw closedError() }
        }
    }

    /// Writes every byte; false (and the connection marked broken) when the peer is gone.
    @discardableResult
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !broken, var pointer = bytes.baseAddress else { return !broken }
        var remaining = bytes.count
        while remaining > 0 {
            let sent = SystemCall.retrying { send(fd, pointer, remaining, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else {
                broken = true
                return false
            }
            pointer += sent
            remaining -= sent
        }
        return true
    }

    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { write($0) }
    }

    /// Sends `count` bytes of `file` from `offset` with sendfile(2). Returns the bytes sent; fewer means the file
    /// ended early or the peer went away (then the connection is marked broken).
    func sendFile(_ file: Int32, offset: Int64, count: Int64) -> Int64 {
        var position = off_t(offset)
        var sent: Int64 = 0
        while sent < count && !broken {
            let chunk = Int(min(count - sent, 1 << 30))
            let n = SystemCall.retrying { sendfile(fd, file, &position, chunk) }
            if n <= 0 {
                broken = true
                break
            }
            sent += Int64(n)
        }
        return sent
    }

    /// Marks the connection unusable for further requests.
    func markBroken() {
        broken = true
    }

    /// Orderly close that lets the client read the response even while it was still sending a body we did not
    /// read: stop writing, drain what arrives for a short while, then close.
    func lingeringClose() {
        socket.shutdownWrite()
        var drained = 0
        let deadline = ContinuousClock.now + .seconds(2)
        while drained < 64 << 20 {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { break }
            let millis = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
            guard waitReadable(timeoutMilliseconds: max(1, millis)) else { break }
            let n = SystemCall.retrying { recv(fd, buffer.baseAddress, buffer.count, 0) }
            guard n > 0 else { break }
            drained += n
        }
        socket.close()
    }

    /// Waits until the socket has input (or end of stream); false on timeout. A negative timeout waits forever.
    private func waitReadable(timeoutMilliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return SystemCall.retrying { poll(&descriptor, 1, timeoutMilliseconds) } != 0
    }

    /// Appends received bytes to the buffer; returns the count, 0 at end of stream or on error.
    private func receiveMore() -> Int {
        let n = SystemCall.retrying { recv(fd, buffer.baseAddress! + end, buffer.count - end, 0) }
        if n < 0 { broken = true }
        guard n > 0 else { return 0 }
        end += n
        return n
    }

    private func compact(_ scan: inout Int) {
        guard start > 0 else { return }
        let count = end - start
        buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: count)
        scan -= start
        start = 0
        end = count
    }

    private func closedError() -> HTTPServerError {
        broken = true
        return HTTPServerError(
            .connectionClosed,
            "the client closed the connection before the request body ended; "
                + "the client must send the whole body")
    }
}
