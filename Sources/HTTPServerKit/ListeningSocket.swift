import Essentials

/// Creates a non-blocking, close-on-exec TCP listening socket.
enum ListeningSocket {
    /// Binds `host` (a numeric IPv4 or IPv6 address, or "localhost") and `port` (0 = any free port) and listens.
    /// Returns the descriptor and the bound port.
    static func open(host: String, port: Int) throws -> (fd: Int32, port: Int) {
        guard (0...65535).contains(port) else {
            throw HTTPServerError(.listenFailed, "port \(port) is out of range; use 0 to 65535")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let info = list else {
            let reason = String(cString: gai_strerror(status))
            throw HTTPServerError(
                .listenFailed,
                "could not resolve \(host) to listen on: \(reason); use a local address "
                    + "such as 127.0.0.1")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(
            info.pointee.ai_family,
            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
                | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw failure("create a socket", host, port) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let error = failure("bind", host, port)
            close(fd)
            throw error
        }
        guard listen(fd, 1024) == 0 else {
            let error = failure("listen", host, port)
            close(fd)
            throw error
        }
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            let error = failure("read the bound port of", host, port)
            close(fd)
            throw error
        }
        let family = Int32(address.ss_family)
        let boundPort: UInt16 = withUnsafePointer(to: &address) { pointer in
            if family == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }
        }
        return (fd, Int(UInt16(bigEndian: boundPort)))
    }

    private static func failure(_ action: String, _ host: String, _ port: Int) -> HTTPServerError {
        let number = errno
        return HTTPServerError(
            .listenFailed,
            "could not \(action) \(host) port \(port): \(String(cString: strerror(number))); "
                + "choose another port or use port 0", systemError: number)
    }
}
