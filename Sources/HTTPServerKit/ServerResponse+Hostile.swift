import Essentials

/// Answers of a misbehaving server, for rehearsing clients against them.
extension ServerResponse {
    /// Sends the head, then `body` at about `bytesPerSecond` (0: the head and then nothing) until the body is out,
    /// the client closes the connection or the server stops. A body not sent whole closes the connection.
    public func sendTrickle(status: Int, headers: [(String, String)] = [], body: [UInt8], bytesPerSecond: Int) {
        guard !hasResponded else { return }
        let (head, sendsBody) = beginResponse(status: status, headers: headers, contentLength: Int64(body.count))
        guard io.write(head), sendsBody else { return }
        let clock = ContinuousClock()
        let started = clock.now
        var sent = 0
        defer { if sent < body.count { io.markBroken() } }
        while sent < body.count && io.peerIsConnected() {
            DedicatedThread.sleep(.milliseconds(50))
            let (seconds, attoseconds) = (clock.now - started).components
            let due = min(body.count, Int(Double(bytesPerSecond) * (Double(seconds) + Double(attoseconds) / 1e18)))
            guard due > sent else { continue }
            guard body.withUnsafeBytes({ io.write(UnsafeRawBufferPointer(rebasing: $0[sent..<due])) }) else { return }
            sent = due
        }
    }

    /// Sends `body` under a `Content-Length` of its own size and, `delay` later, `extra` behind it, as a server
    /// does that sends more than it declared. The connection stays open: a client that reuses it reads `extra`
    /// first. (With no delay, a client can see the excess in the same read as the body and drop the connection.)
    /// With `afterNextRequest`, `extra` waits past the delay until the client has sent its next request on this
    /// connection (or 10 s went by), so a client that reuses the connection always meets it, however late it does.
    public func sendOverlong(
        status: Int, headers: [(String, String)] = [], body: [UInt8], extra: [UInt8],
        delay: Duration = .milliseconds(50), afterNextRequest: Bool = false
    ) {
        guard !hasResponded else { return }
        let (head, sendsBody) = beginResponse(status: status, headers: headers, contentLength: Int64(body.count))
        guard io.write(sendsBody ? head + body : head), sendsBody else { return }
        DedicatedThread.sleep(delay)
        if afterNextRequest { io.waitUntilReadable(milliseconds: 10_000) }
        io.write(extra)
    }
}

extension ConnectionIO {
    /// Waits until the client has sent something (or closed), at most `milliseconds`.
    func waitUntilReadable(milliseconds: Int32) {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = SystemCall.retrying { poll(&descriptor, 1, milliseconds) }
    }

    /// False once the client closed or reset the connection, or the server shut it down; never blocks.
    func peerIsConnected() -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 0)
        guard ready > 0 else { return true }
        if descriptor.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 { return false }
        var byte: UInt8 = 0
        let peeked = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return peeked > 0 || (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    }
}
