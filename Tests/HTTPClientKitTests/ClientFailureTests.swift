import Foundation
import HTTPClientKit
import HTTPServerKit
import Testing
import TestSupport

@Suite("HTTPClient failures")
struct ClientFailureTests {
    /// A port with nothing listening: a server is started and stopped.
    private func closedPort() throws -> Int {
        let server = try HTTPServer { _, response in response.send(status: 200) }
        let port = server.port
        server.stop()
        return port
    }

    /// A server that holds every request until `gate` opens, then answers 200; `started` turns true when one came.
    private func heldServer() throws -> (server: HTTPServer, gate: Gate, started: Shared<Bool>) {
        let gate = Gate()
        let started = Shared(false)
        let server = try HTTPServer { _, response in
            started.update { $0 = true }
            gate.wait()
            response.send(status: 200)
        }
        return (server, gate, started)
    }

    @Test("a connection reset is reported as connectionReset, worth a retry")
    func connectionReset() async throws {
        let server = try HTTPServer { _, response in response.resetConnection() }
        defer { server.stop() }
        let error = await #expect(throws: HTTPError.self) {
            try await HTTPClient().send(HTTPRequest(url: server.baseURL + "/reset"))
        }
        #expect(error?.code == .connectionReset)
        #expect(error?.isTransient == true)
    }

    @Test("a server that is not listening gives connectionFailed without leaking the query or credentials")
    func notListening() async throws {
        let port = try closedPort()
        let url = "http://user:pw-secret-1@127.0.0.1:\(port)/images/1?access_token=SECRET-TOKEN-42&x=1#frag-secret"
        var request = HTTPRequest(url: url)
        request.headers = [HTTPHeader("Authorization", "OAuth AUTH-SECRET-99")]
        let error = await #expect(throws: HTTPError.self) { try await HTTPClient().send(request) }
        #expect(error?.code == .connectionFailed)
        #expect(error?.isTransient == true)
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("127.0.0.1:\(port)/images/1"))
        for secret in ["SECRET-TOKEN-42", "pw-secret-1", "access_token", "frag-secret", "AUTH-SECRET-99", "user:"] {
            #expect(!text.contains(secret), "error text leaks \(secret): \(text)")
        }
    }

    @Test("a whole-transfer timeout gives timeout, and its message hides the query")
    func timeout() async throws {
        let (server, gate, _) = try heldServer()
        defer { server.stop() }
        defer { gate.open() }
        var request = HTTPRequest(url: server.baseURL + "/slow?signature=SIG-SECRET-7")
        request.timeout = .milliseconds(200)
        let error = await #expect(throws: HTTPError.self) { try await HTTPClient().send(request) }
        #expect(error?.code == .timeout)
        #expect(error?.isTransient == true)
        #expect(error.map { !"\($0)".contains("SIG-SECRET-7") && "\($0)".contains("/slow") } == true)
    }

    @Test("a body that stops flowing trips the stall timeout")
    func stall() async throws {
        let gate = Gate()
        let server = try HTTPServer { _, response in
            try response.sendStream(status: 200, contentLength: 1_000) { write in
                try [UInt8](repeating: 7, count: 10).withUnsafeBytes { try write($0) }
                gate.wait()
            }
        }
        defer { server.stop() }
        defer { gate.open() }
        var request = HTTPRequest(url: server.baseURL + "/stall")
        request.stallTimeout = .seconds(1)
        let error = await #expect(throws: HTTPError.self) { try await HTTPClient().send(request) }
        #expect(error?.code == .timeout)
    }

    @Test("cancelling the awaiting task ends a slow request before the server answers")
    func cancellation() async throws {
        let (server, gate, started) = try heldServer()
        defer { server.stop() }
        defer { gate.open() }
        let client = HTTPClient()
        let task = Task { try await client.send(HTTPRequest(url: server.baseURL + "/wait")) }
        #expect(await eventually { started.current })
        task.cancel()
        let result = await task.result
        #expect(!gate.isOpen, "the request must end while the server is still holding it")
        #expect(throws: HTTPError.self) { try result.get() }
        #expect((result.failure as? HTTPError)?.code == .cancelled)
        // The client keeps working after a cancellation.
        gate.open()
        #expect(try await client.send(HTTPRequest(url: server.baseURL + "/after")).status == 200)
    }

    @Test("a task cancelled before sending never reaches the server")
    func cancelledBeforeSend() async throws {
        let hits = Shared(0)
        let server = try HTTPServer { _, response in
            hits.update { $0 += 1 }
            response.send(status: 200)
        }
        defer { server.stop() }
        let client = HTTPClient()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.send(HTTPRequest(url: server.baseURL + "/never"))
        }
        let result = await task.result
        #expect((result.failure as? HTTPError)?.code == .cancelled)
        #expect(hits.current == 0)
    }

    @Test("shutdown fails transfers in flight and later sends with cancelled")
    func shutdown() async throws {
        let (server, gate, started) = try heldServer()
        defer { server.stop() }
        defer { gate.open() }
        let client = HTTPClient()
        let task = Task { try await client.send(HTTPRequest(url: server.baseURL + "/w")) }
        #expect(await eventually { started.current })
        client.shutdown()
        #expect(((await task.result).failure as? HTTPError)?.code == .cancelled)
        let later = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: server.baseURL + "/w"))
        }
        #expect(later?.code == .cancelled)
    }

    @Test("missing body files and unwritable response files give fileAccess")
    func fileAccess() async throws {
        let dir = try TemporaryDirectory("http-files")
        defer { dir.remove() }
        let server = try HTTPServer { request, response in
            try request.readBody { _ in }
            response.send(status: 200, body: [1, 2, 3])
        }
        defer { server.stop() }
        let client = HTTPClient()
        let missing = HTTPRequest(
            method: "PUT", url: server.baseURL + "/x",
            body: .file(path: dir.file("absent.bin"), offset: 0, length: 10))
        let first = await #expect(throws: HTTPError.self) { try await client.send(missing) }
        #expect(first?.code == .fileAccess)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir.file("short.bin")))
        let short = HTTPRequest(
            method: "PUT", url: server.baseURL + "/x",
            body: .file(path: dir.file("short.bin"), offset: 1, length: 10))
        let second = await #expect(throws: HTTPError.self) { try await client.send(short) }
        #expect(second?.code == .fileAccess)
        let nowhere = HTTPRequest(url: server.baseURL + "/x", response: .file(path: dir.file("no/such/dir/out.bin")))
        let third = await #expect(throws: HTTPError.self) { try await client.send(nowhere) }
        #expect(third?.code == .fileAccess)
    }

    @Test(
        "requests that cannot be sent as written are refused before any I/O",
        arguments: [
            ("GET", "ftp://example.org/x", "X-A", "1"), ("GET", "http://127.0.0.1:9/x", "X-A", "line\r\nbreak"),
            ("BAD METHOD", "http://127.0.0.1:9/x", "X-A", "1"), ("GET", "http://127.0.0.1:9/a b", "X-A", "1"),
        ])
    func invalidRequests(method: String, url: String, name: String, value: String) async throws {
        let request = HTTPRequest(method: method, url: url, headers: [HTTPHeader(name, value)])
        let error = await #expect(throws: HTTPError.self) { try await HTTPClient().send(request) }
        #expect(error?.code == .invalidRequest)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
