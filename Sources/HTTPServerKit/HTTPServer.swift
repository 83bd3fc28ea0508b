/// A small HTTP/1.1 server (the sandbox's services, the campaign page): one accept thread, one thread per
/// connection (blocking I/O, so a handler may block on disk or a database), keep-alive, at most 512 connections
/// at once (more wait in the listen queue). It listens on loopback unless told otherwise.
public final class HTTPServer: Sendable {
    /// Handles one request on its connection's thread. Throwing or returning without responding answers 500.
    public typealias Handler = @Sendable (ServerRequest, ServerResponse) throws -> Void

    /// Connections served at the same time; further ones wait to be accepted.
    public static let maxConnections = 512

    public let port: Int
    /// "http://127.0.0.1:<port>" (IPv6 hosts in brackets).
    public let baseURL: String
    private let listener: ServerListener

    /// Binds, listens and starts serving. Port 0 picks a free port.
    public init(host: String = "127.0.0.1", port: Int = 0, handler: @escaping Handler) throws {
        listener = try ServerListener(
            host: host, port: port, maxConnections: HTTPServer.maxConnections,
            handler: handler)
        self.port = listener.port
        let shownHost: String
        switch host {
        case "0.0.0.0", "": shownHost = "127.0.0.1"
        case "::": shownHost = "[::1]"
        default: shownHost = host.contains(":") ? "[\(host)]" : host
        }
        baseURL = "http://\(shownHost):\(listener.port)"
    }

    deinit {
        listener.stop()
    }

    /// Connections accepted since start (a client that reuses connections keeps this low).
    public var acceptedConnections: Int { listener.acceptedConnections }

    /// Closes the listener and all connections, and joins every thread. Handlers still running finish first.
    public func stop() {
        listener.stop()
    }
}
