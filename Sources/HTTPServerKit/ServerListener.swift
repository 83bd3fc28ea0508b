import Essentials
import Synchronization

/// The listening socket, its accept thread and the registry of connection threads.
/// The accept thread waits for a free slot before accepting; finished connection threads are joined there.
final class ServerListener: Sendable {
    private struct Connection {
        let socket: ServerSocket
        var thread: DedicatedThread?
        var finished = false
    }

    private struct State {
        var stopping = false
        var connections: [Int: Connection] = [:]
        var nextID = 0
        var accepted = 0
        var acceptThread: DedicatedThread?
        var descriptorsClosed = false
    }

    let port: Int
    private let listenFD: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let maxConnections: Int
    private let handler: HTTPServer.Handler
    private let state = Mutex(State())

    init(host: String, port: Int, maxConnections: Int, handler: @escaping HTTPServer.Handler) throws {
        ServerListener.ignoreSIGPIPE
        let (fd, boundPort) = try ListeningSocket.open(host: host, port: port)
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw HTTPServerError(
                .resourceFailed,
                "could not create a wake-up pipe for the HTTP server: \(reason); "
                    + "close some files and retry")
        }
        for end in pipeEnds {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        self.listenFD = fd
        self.port = boundPort
        self.wakeRead = pipeEnds[0]
        self.wakeWrite = pipeEnds[1]
        self.maxConnections = max(1, maxConnections)
        self.handler = handler
        guard let thread = DedicatedThread.start(name: "http-accept", { [self] in acceptLoop() }) else {
            closeDescriptors()
            throw HTTPServerError(
                .resourceFailed,
                "could not start the HTTP server's accept thread; "
                    + "reduce the number of running threads and retry")
        }
        state.withLock { $0.acceptThread = thread }
    }

    /// SIGPIPE is ignored once per process: the server writes to sockets whose peers may be gone.
    private static let ignoreSIGPIPE: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    var acceptedConnections: Int { state.withLock { $0.accepted } }

    /// Closes the listener and every connection, and joins all threads. Safe to call more than once.
    func stop() {
        let acceptThread = state.withLock { state -> DedicatedThread? in
            state.stopping = true
            defer { state.acceptThread = nil }
            return state.acceptThread
        }
        wake()
        acceptThread?.join()
        let connections = state.withLock { state -> [Connection] in
            defer { state.connections.removeAll() }
            return Array(state.connections.values)
        }
        for connection in connections { connection.socket.shutdownBoth() }
        for connection in connections { connection.thread?.join() }
        closeDescriptors()
    }

    private func closeDescriptors() {
        let first = state.withLock { state -> Bool in
            defer { state.descriptorsClosed = true }
            return !state.descriptorsClosed
        }
        guard first else { return }
        close(listenFD)
        close(wakeRead)
        close(wakeWrite)
    }

    /// Wakes the accept loop. Once the descriptors are closed their numbers may belong to other sockets,
    /// so the write happens under the lock and only while they are still ours.
    private func wake() {
        state.withLock { state in
            guard !state.descriptorsClosed else { return }
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
    }

    private func acceptLoop() {
        var drain = [UInt8](repeating: 0, count: 64)
        while true {
            let (stopping, finished, open) = state.withLock { state -> (Bool, [DedicatedThread], Int) in
                var finished: [DedicatedThread] = []
                for (id, connection) in state.connections where connection.finished {
                    if let thread = connection.thread { finished.append(thread) }
                    state.connections[id] = nil
                }
                return (state.stopping, finished, state.connections.count)
            }
            for thread in finished { thread.join() }
            if stopping { return }
            var descriptors = [
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
                pollfd(fd: listenFD, events: open < maxConnections ? Int16(POLLIN) : 0, revents: 0),
            ]
            guard SystemCall.retrying({ poll(&descriptors, 2, -1) }) >= 0 else {
                usleep(10_000)
                continue
            }
            if descriptors[0].revents != 0 {
                while read(wakeRead, &drain, drain.count) > 0 {}
            }
            if descriptors[1].revents & Int16(POLLIN) != 0 {
                acceptPending(open: open)
            }
        }
    }

    /// Accepts waiting connections while slots are free; each gets its own thread.
    private func acceptPending(open: Int) {
        var open = open
        while open < maxConnections {
            let fd = SystemCall.retrying { accept(listenFD, nil, nil) }
            if fd < 0 {
                switch errno {
                case ECONNABORTED: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM: usleep(10_000); return
                default: return  // EAGAIN: nothing more waiting
                }
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)  // accept4 is not visible from Swift; the window is tiny
            _ = fcntl(fd, F_SETFL, 0)  // blocking I/O on the connection
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let socket = ServerSocket(fd: fd)
            let id = state.withLock { state -> Int? in
                guard !state.stopping else { return nil }
                state.nextID += 1
                state.accepted += 1
                state.connections[state.nextID] = Connection(socket: socket)
                return state.nextID
            }
            guard let id else {
                socket.close()
                return
            }
            let connection = ServerConnection(socket: socket, handler: handler)
            let thread = DedicatedThread.start(name: "http-connection") { [self] in
                connection.run()
                state.withLock { $0.connections[id]?.finished = true }
                wake()
            }
            state.withLock { state in
                if let thread {
                    state.connections[id]?.thread = thread
                } else {
                    state.connections[id] = nil
                }
            }
            if thread == nil { socket.close() }
            open += 1
        }
    }
}
