import Foundation
import HTTPClient
import Sandbox
import Testing

@Suite("Sandbox HTTP server: lifecycle")
struct ServerLifecycleTests {
    private func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }

    private func runningThreads() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? 0
    }

    @Test("stop() closes idle kept-alive connections and returns")
    func stopClosesIdleConnections() throws {
        let server = try HTTPServer { _, response in response.send(status: 200, body: [1]) }
        let connection = try RawHTTPConnection(port: server.port)
        try connection.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try connection.readResponse().status == 200)
        server.stop()
        #expect(connection.isClosedByServer())
        #expect(throws: (any Error).self) { _ = try RawHTTPConnection(port: server.port) }
        server.stop() // a second stop is harmless
    }

    /// TCP sockets on `port` that are listening, established or waiting for us to close (Linux /proc/net).
    private func liveSockets(port: Int) -> Int {
        var count = 0
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 3, let colon = fields[1].lastIndex(of: ":"),
                      Int(fields[1][fields[1].index(after: colon)...], radix: 16) == port else { continue }
                if ["0A", "01", "08"].contains(String(fields[3])) { count += 1 } // LISTEN, ESTABLISHED, CLOSE_WAIT
            }
        }
        return count
    }

    @Test("hundreds of servers started and stopped leak neither sockets, threads nor descriptors")
    func noLeaks() throws {
        // Process-wide counts move with parallel tests (by up to ~160 under TSan); a leak of one per server moves them by 400.
        let descriptorsBefore = openDescriptors()
        let threadsBefore = runningThreads()
        var portsLeft: [Int] = []
        for round in 0..<400 {
            var server: HTTPServer? = try HTTPServer { _, response in response.send(status: 200, body: [1, 2]) }
            let port = server!.port
            let connection = try RawHTTPConnection(port: port)
            try connection.send("GET /\(round) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try connection.readResponse().body == [1, 2])
            if round % 2 == 0 { server?.stop() } // odd rounds rely on deinit
            server = nil
            if liveSockets(port: port) > 0 { portsLeft.append(port) }
        }
        #expect(portsLeft.isEmpty, "sockets still open on ports \(portsLeft)")
        #expect(openDescriptors() - descriptorsBefore < 250, "descriptors: \(descriptorsBefore) → \(openDescriptors())")
        #expect(runningThreads() - threadsBefore < 250, "threads: \(threadsBefore) → \(runningThreads())")
    }

    @Test("clients created and dropped leave no loop threads behind")
    func clientsDoNotLeak() async throws {
        let server = try HTTPServer { _, response in response.send(status: 200) }
        defer { server.stop() }
        let threadsBefore = runningThreads()
        for _ in 0..<100 {
            let client = HTTPClient()
            #expect(try await client.send(HTTPRequest(url: server.baseURL + "/")).status == 200)
        }
        #expect(runningThreads() - threadsBefore < 50, "threads: \(threadsBefore) → \(runningThreads())")
    }

    @Test("a port already in use is reported as listenFailed")
    func portInUse() throws {
        let first = try HTTPServer { _, response in response.send(status: 200) }
        defer { first.stop() }
        let error = #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(port: first.port) { _, response in response.send(status: 200) }
        }
        #expect(error?.code == .listenFailed)
        #expect(first.baseURL == "http://127.0.0.1:\(first.port)")
    }
}
