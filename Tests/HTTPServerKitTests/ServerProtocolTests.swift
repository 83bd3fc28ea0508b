import Foundation
import HTTPServerKit
import Testing

@Suite("HTTP server: what goes over the wire")
struct ServerProtocolTests {
    private func echoServer() throws -> HTTPServer {
        try HTTPServer { request, response in
            let body = try request.readBody(limit: 1 << 20)
            var lines = [
                "method=\(request.method)", "path=\(request.path)", "raw=\(request.rawPath)",
                "chunked=\(request.isChunked)", "length=\(request.contentLength.map(String.init) ?? "nil")",
                "body=\(String(decoding: body, as: UTF8.self))", "received=\(request.bytesReceived)",
            ]
            lines += request.query.map { "q:\($0.name)=\($0.value)" }
            response.send(
                status: 200, headers: [("Content-Type", "text/plain")], body: Array(lines.joined(separator: "\n").utf8))
        }
    }

    @Test("paths and queries are percent-decoded, in order, with + as a space in queries")
    func decoding() throws {
        let server = try echoServer()
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        try connection.send("GET /a%20b/c%2Bd+e?x=1%202&y=a+b&x=3&flag HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 200)
        let lines = response.text.split(separator: "\n").map(String.init)
        #expect(lines.contains("path=/a b/c+d+e"))
        #expect(lines.contains("raw=/a%20b/c%2Bd+e"))
        #expect(lines.filter { $0.hasPrefix("q:") } == ["q:x=1 2", "q:y=a b", "q:x=3", "q:flag="])
        try connection.send("GET http://proxy.example:8080/abs%2Fpath?k=%E2%9C%93 HTTP/1.1\r\nHost: t\r\n\r\n")
        let absolute = try connection.readResponse().text.split(separator: "\n").map(String.init)
        #expect(absolute.contains("path=/abs/path"))
        #expect(absolute.contains("q:k=✓"))
    }

    @Test("a chunked body is decoded, and the connection stays open for the next request")
    func chunkedKeepAlive() throws {
        let server = try echoServer()
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        try connection.send(
            "POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n6;name=value\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n")
        let first = try connection.readResponse()
        #expect(first.status == 200)
        #expect(first.text.contains("body=hello world"))
        #expect(first.text.contains("chunked=true"))
        #expect(first.text.contains("received=11"))
        #expect(first.header("connection") == nil)
        try connection.send("PUT /second HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc")
        let second = try connection.readResponse()
        #expect(second.text.contains("path=/second"))
        #expect(second.text.contains("body=abc"))
        #expect(second.text.contains("length=3"))
    }

    @Test(
        "malformed request lines get 400 and a closed connection",
        arguments: [
            "GARBAGE\r\n\r\n", "GET /x HTTP/1.1 extra\r\n\r\n", "GET /x HTTP/1.1\r\nBad Header: 1\r\n\r\n",
            "GET /x HTTP/1.1\r\nContent-Length: 12x\r\n\r\n", "GET /x HTTP/1.1\r\n folded: 1\r\n\r\n",
        ])
    func badRequest(raw: String) throws {
        let server = try echoServer()
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        try connection.send(raw)
        let response = try connection.readResponse()
        #expect(response.status == 400)
        #expect(response.header("connection") == "close")
        #expect(connection.isClosedByServer())
    }

    @Test("a header block over 64 KiB gets 431")
    func headerTooLarge() throws {
        let server = try echoServer()
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        try connection.send(
            "GET /x HTTP/1.1\r\nHost: t\r\nX-Big: " + String(repeating: "a", count: 70_000) + "\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 431)
    }

    @Test("a handler that throws or does not respond yields 500; 503 reads Slow Down")
    func handlerFailures() throws {
        struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
        let server = try HTTPServer { request, response in
            switch request.path {
            case "/throw": throw Boom()
            case "/silent": return
            default: response.send(status: 503, body: Array("<Error><Code>SlowDown</Code></Error>".utf8))
            }
        }
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        try connection.send("GET /throw HTTP/1.1\r\nHost: t\r\n\r\n")
        let thrown = try connection.readResponse()
        #expect(thrown.status == 500)
        #expect(thrown.text.contains("boom"))
        try connection.send("GET /silent HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try connection.readResponse().status == 500)
        try connection.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        let slow = try connection.readResponse()
        #expect(slow.status == 503)
        #expect(slow.reason == "Slow Down")
    }

    @Test("an unread body closes the connection after the response; HTTP/1.0 closes by default")
    func closing() throws {
        let server = try HTTPServer { _, response in response.send(status: 403, body: Array("denied".utf8)) }
        defer { server.stop() }
        let unread = try RawHTTPConnection(port: server.port)
        try unread.send("PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc")
        let refused = try unread.readResponse()
        #expect(refused.status == 403)
        #expect(refused.header("connection") == "close")
        #expect(unread.isClosedByServer())

        let old = try RawHTTPConnection(port: server.port)
        try old.send("GET /x HTTP/1.0\r\n\r\n")
        #expect(try old.readResponse().status == 403)
        #expect(old.isClosedByServer())
    }
}
