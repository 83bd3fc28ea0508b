import Essentials
import Synchronization

/// A connected socket. Its connection thread does all I/O and closes it; `stop()` may only shut it down
/// (to wake blocked I/O). The lock makes sure the descriptor is never shut down after it was closed (and reused).
final class ServerSocket: Sendable {
    let fd: Int32
    private let closed = Mutex(false)

    init(fd: Int32) {
        self.fd = fd
    }

    /// From any thread: ends blocked reads and writes on this connection, unless it is closed already.
    func shutdownBoth() {
        closed.withLock { isClosed in
            if !isClosed { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    /// Ends the sending direction only (the peer sees end of stream; reads still work).
    func shutdownWrite() {
        closed.withLock { isClosed in
            if !isClosed { _ = shutdown(fd, Int32(SHUT_WR)) }
        }
    }

    /// Closes the descriptor once.
    func close() {
        closed.withLock { isClosed in
            guard !isClosed else { return }
            isClosed = true
            _ = closeDescriptor(fd)
        }
    }

    /// Abortive close (SO_LINGER 0): the peer gets a TCP reset instead of an orderly end.
    func reset() {
        closed.withLock { isClosed in
            guard !isClosed else { return }
            isClosed = true
            var option = linger(l_onoff: 1, l_linger: 0)
            _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
            _ = closeDescriptor(fd)
        }
    }

    var isClosed: Bool { closed.withLock { $0 } }
}

@inline(__always)
private func closeDescriptor(_ fd: Int32) -> Int32 {
    close(fd)
}
