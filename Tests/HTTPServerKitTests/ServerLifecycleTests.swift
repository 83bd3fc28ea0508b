import Foundation
import HTTPServerKit
import Testing

@Suite("HTTP server: lifecycle")
struct ServerLifecycleTests {
    @Test("stop() closes idle kept-alive connections and returns")
    func stopClosesIdleConnections() throws {
        let server = try HTTPServer { _, response in response.send(status: 200, body: [1]) }
        let connection = try RawHTTPConnection(port: server.port)
        try connection.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try connection.readResponse().status == 200)
        server.stop()
        #expect(connection.isClosedByServer())
        #expect(throws: (any Error).self) { _ = try RawHTTPConnection(port: server.port) }
        server.stop()  // a second stop is harmless
    }

    /// Inodes of the listening TCP sockets on `port` (Linux /proc/net). Inodes, not counts: once a server is gone
    /// another suite may listen on the same port number, but never with the same socket.
    private func listenerInodes(port: Int) -> Set<Substring> {
        var inodes = Set<Substring>()
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            // String(contentsOfFile:) stops after the first 4 KiB of a /proc file; read it to the end.
            guard let data = FileHandle(forReadingAtPath: table)?.readDataToEndOfFile() else { continue }
            let text = String(decoding: data, as: UTF8.self)
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9, let colon = fields[1].lastIndex(of: ":"),
                    Int(fields[1][fields[1].index(after: colon)...], radix: 16) == port,
                    fields[3] == "0A"
                else { continue }  // LISTEN
                inodes.insert(fields[9])
            }
        }
        return inodes
    }

    @Test("hundreds of servers started and stopped leak no sockets")
    func noLeaks() throws {
        // Only the per-port check is exact: process-wide descriptor and thread counts move with the other suites
        // running in parallel (uploads, sandboxes), so they cannot tell a leak from a busy neighbour.
        var portsLeft: [Int] = []
        for round in 0..<100 {
            var server: HTTPServer? = try HTTPServer { _, response in response.send(status: 200, body: [1, 2]) }
            let port = server!.port
            let listeners = listenerInodes(port: port)
            #expect(!listeners.isEmpty)
            let connection = try RawHTTPConnection(port: port)
            try connection.send("GET /\(round) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try connection.readResponse().body == [1, 2])
            if round % 2 == 0 { server?.stop() }  // odd rounds rely on deinit
            server = nil
            // A child process another suite is starting holds copies of every descriptor until it execs,
            // so a closed listener can linger for a moment; a leaked one stays.
            var lingering = !listenerInodes(port: port).isDisjoint(with: listeners)
            for _ in 0..<200 where lingering {
                usleep(10_000)
                lingering = !listenerInodes(port: port).isDisjoint(with: listeners)
            }
            if lingering { portsLeft.append(port) }
        }
        #expect(portsLeft.isEmpty, "listening sockets still open on ports \(portsLeft)")
    }

    @Test("a port already in use is reported as listenFailed")
    func portInUse() throws {
        let first = try HTTPServer { _, response in response.send(status: 200) }
        defer { first.stop() }
        let error = #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(port: first.port) { _, response in response.send(status: 200) }
        }
        #expect(error?.code == .listenFailed)
        #expect(error?.systemError == EADDRINUSE)
        #expect(first.baseURL == "http://127.0.0.1:\(first.port)")
    }
}
