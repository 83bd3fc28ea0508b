import Essentials
import Foundation
import HTTPClientKit
import HTTPServerKit
import Synchronization
import Testing
import TestSupport

@Suite("HTTPClient bodies and headers")
struct ClientBodyTests {
    @Test("GET into memory returns status, body and the final headers in order")
    func getToMemory() async throws {
        let server = try HTTPServer { request, response in
            response.send(
                status: 200, headers: [("X-One", "1"), ("Content-Type", "text/plain"), ("X-One", "2")],
                body: Array("hello \(request.path)".utf8))
        }
        defer { server.stop() }
        let client = HTTPClient()
        let response = try await client.send(HTTPRequest(url: server.baseURL + "/greeting"))
        #expect(response.status == 200)
        #expect(response.text == "hello /greeting")
        #expect(response.bodyBytes == 15)
        #expect(response.header("x-one") == "2")
        #expect(response.headerValues("X-ONE") == ["1", "2"])
        #expect(response.header("content-length") == "15")
    }

    @Test("request headers reach the server in order, duplicates kept, with our User-Agent")
    func requestHeadersInOrder() async throws {
        let seen = Shared<[(String, String)]>([])
        let server = try HTTPServer { request, response in
            seen.update { $0 = request.headers.filter { $0.name.hasPrefix("x-") || $0.name == "user-agent" } }
            response.send(status: 204)
        }
        defer { server.stop() }
        let client = HTTPClient(userAgent: "archiver-test/9")
        var request = HTTPRequest(url: server.baseURL + "/h")
        request.headers = [
            HTTPHeader("X-A", "1"), HTTPHeader("X-B", "two words"), HTTPHeader("X-A", "3"),
            HTTPHeader("X-Empty", ""),
        ]
        let response = try await client.send(request)
        #expect(response.status == 204)
        let names = seen.current.map { "\($0.0)=\($0.1)" }
        #expect(names == ["user-agent=archiver-test/9", "x-a=1", "x-b=two words", "x-a=3", "x-empty="])
    }

    @Test("a memory body over its limit fails with bodyTooLarge")
    func memoryLimit() async throws {
        let server = try HTTPServer { _, response in
            response.send(status: 200, body: patternBytes(count: 100_000))
        }
        defer { server.stop() }
        let client = HTTPClient()
        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: server.baseURL + "/big", response: .memory(limit: 10_000)))
        }
        #expect(error?.code == .bodyTooLarge)
        #expect(error?.isTransient == false)
        // The same body fits under a larger limit.
        let fits = try await client.send(HTTPRequest(url: server.baseURL + "/big", response: .memory(limit: 100_000)))
        #expect(fits.body == patternBytes(count: 100_000))
    }

    @Test("a response body streams into a file byte for byte")
    func bodyToFile() async throws {
        let dir = try TemporaryDirectory("http-file")
        defer { dir.remove() }
        let source = dir.file("source.bin")
        let content = patternBytes(count: 3_000_001)
        try DurableFile.write(content, to: source)
        let server = try HTTPServer { _, response in
            try response.sendFile(status: 200, headers: [("Content-Type", "application/octet-stream")], path: source)
        }
        defer { server.stop() }
        let client = HTTPClient()
        let target = dir.file("copy.bin")
        let response = try await client.send(HTTPRequest(url: server.baseURL + "/f", response: .file(path: target)))
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(response.bodyBytes == 3_000_001)
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: target)))
        #expect(written == content)
    }

    @Test("a discarded body is counted")
    func discard() async throws {
        let server = try HTTPServer { _, response in response.send(status: 200, body: patternBytes(count: 500_000)) }
        defer { server.stop() }
        let response = try await HTTPClient().send(HTTPRequest(url: server.baseURL + "/d", response: .discard))
        #expect(response.bodyBytes == 500_000)
        #expect(response.body.isEmpty)
    }

    @Test("PUT of a file region sends exactly that region with Content-Length, never chunked or Expect")
    func putFileRegion() async throws {
        let dir = try TemporaryDirectory("http-put")
        defer { dir.remove() }
        let path = dir.file("data.bin")
        let content = patternBytes(count: 5_000_000)
        try DurableFile.write(content, to: path)
        let seen = Shared<(length: String?, te: String?, expect: String?, md5: String, count: Int64)>(
            (nil, nil, nil, "", 0))
        let server = try HTTPServer { request, response in
            var md5 = MD5()
            try request.readBody { md5.update($0) }
            seen.update {
                $0 = (
                    request.header("content-length"), request.header("transfer-encoding"),
                    request.header("expect"), md5.hexDigest(), request.bytesReceived
                )
            }
            response.send(status: 200)
        }
        defer { server.stop() }
        let request = HTTPRequest(
            method: "PUT", url: server.baseURL + "/item/file",
            body: .file(path: path, offset: 1_000, length: 3_000_000))
        let response = try await HTTPClient().send(request)
        #expect(response.status == 200)
        let result = seen.current
        #expect(result.length == "3000000")
        #expect(result.te == nil)
        #expect(result.expect == nil)
        #expect(result.count == 3_000_000)
        #expect(result.md5 == MD5.hex(of: Array(content[1_000..<3_001_000])))
    }

    @Test("PUT without a body and POST of bytes both send Content-Length", arguments: [0, 70_000])
    func contentLengthAlwaysSent(size: Int) async throws {
        let seen = Shared<[String]>([])
        let server = try HTTPServer { request, response in
            let body = try request.readBody(limit: 1 << 20)
            seen.update {
                $0.append(
                    "\(request.method) \(request.header("content-length") ?? "none") "
                        + "\(request.header("content-type") ?? "no-type") \(body == patternBytes(count: size))")
            }
            response.send(status: 201)
        }
        defer { server.stop() }
        let client = HTTPClient()
        let put = HTTPRequest(
            method: "PUT", url: server.baseURL + "/p",
            body: size == 0 ? .none : .bytes(patternBytes(count: size)))
        #expect(try await client.send(put).status == 201)
        let post = HTTPRequest(method: "POST", url: server.baseURL + "/p", body: .bytes(patternBytes(count: size)))
        #expect(try await client.send(post).status == 201)
        #expect(seen.current == ["PUT \(size) no-type true", "POST \(size) no-type true"])
    }

    @Test("HEAD returns headers without waiting for a body; DELETE uses its own method")
    func headAndDelete() async throws {
        let server = try HTTPServer { request, response in
            if request.method == "HEAD" {
                response.send(status: 200, headers: [("Content-Length", "12345"), ("ETag", "\"abc\"")])
            } else {
                response.send(status: 204, headers: [("X-Method", request.method)])
            }
        }
        defer { server.stop() }
        let client = HTTPClient()
        let head = try await client.send(HTTPRequest(method: "HEAD", url: server.baseURL + "/obj"))
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == "12345")
        #expect(head.header("etag") == "\"abc\"")
        #expect(head.bodyBytes == 0)
        let delete = try await client.send(HTTPRequest(method: "DELETE", url: server.baseURL + "/obj"))
        #expect(delete.status == 204)
        #expect(delete.header("x-method") == "DELETE")
    }

    @Test("POST of a file region and a custom method with a body send exact bytes with Content-Length")
    func postFileAndCustomMethod() async throws {
        let dir = try TemporaryDirectory("http-post")
        defer { dir.remove() }
        let path = dir.file("form.bin")
        let content = patternBytes(count: 300_000)
        try DurableFile.write(content, to: path)
        let seen = Shared<[String]>([])
        let server = try HTTPServer { request, response in
            let body = try request.readBody(limit: 1 << 20)
            seen.update {
                $0.append("\(request.method) \(request.header("content-length") ?? "none") \(MD5.hex(of: body))")
            }
            response.send(status: 200)
        }
        defer { server.stop() }
        let client = HTTPClient()
        let post = HTTPRequest(
            method: "POST", url: server.baseURL + "/form",
            headers: [HTTPHeader("Content-Type", "application/octet-stream")],
            body: .file(path: path, offset: 100, length: 200_000))
        #expect(try await client.send(post).status == 200)
        let patch = HTTPRequest(method: "PATCH", url: server.baseURL + "/meta", body: .bytes(Array(content[0..<5_000])))
        #expect(try await client.send(patch).status == 200)
        #expect(
            seen.current == [
                "POST 200000 \(MD5.hex(of: Array(content[100..<200_100])))",
                "PATCH 5000 \(MD5.hex(of: Array(content[0..<5_000])))",
            ])
    }

    @Test("compressed responses are decoded only when the request accepts compression")
    func compression() async throws {
        let dir = try TemporaryDirectory("http-gzip")
        defer { dir.remove() }
        let json = "{\"data\":[" + (0..<300).map { "{\"id\":\($0)}" }.joined(separator: ",") + "]}"
        let plain = dir.file("page.json")
        try DurableFile.write(Array(json.utf8), to: plain)
        #expect(try ExternalTool.run("gzip", ["-k", "-n", plain]).ok)
        let offered = Shared<[String]>([])
        let server = try HTTPServer { request, response in
            let accepts = request.header("accept-encoding") ?? ""
            offered.update { $0.append(accepts) }
            if accepts.contains("gzip") {
                try response.sendFile(status: 200, headers: [("Content-Encoding", "gzip")], path: plain + ".gz")
            } else {
                try response.sendFile(status: 200, path: plain)
            }
        }
        defer { server.stop() }
        let client = HTTPClient()
        var compressed = HTTPRequest(url: server.baseURL + "/images", response: .memory(limit: 1 << 20))
        compressed.acceptsCompression = true
        let decoded = try await client.send(compressed)
        #expect(decoded.text == json)
        #expect(decoded.header("content-encoding") == "gzip")
        let raw = try await client.send(HTTPRequest(url: server.baseURL + "/images"))
        #expect(raw.text == json)
        #expect(offered.current.first?.contains("gzip") == true)
        #expect(offered.current.last == "")
    }

    @Test("the progress callback reports every uploaded byte")
    func uploadProgress() async throws {
        let server = try HTTPServer { request, response in
            try request.readBody { _ in }
            response.send(status: 200)
        }
        defer { server.stop() }
        let maximum = Shared<(sent: Int64, total: Int64)>((0, 0))
        var request = HTTPRequest(
            method: "PUT", url: server.baseURL + "/up", body: .bytes(patternBytes(count: 4 << 20)))
        request.progress = { progress in
            maximum.update { $0 = (max($0.sent, progress.uploaded), max($0.total, progress.uploadTotal)) }
        }
        let response = try await HTTPClient().send(request)
        #expect(response.status == 200)
        #expect(maximum.current.sent == 4 << 20)
        #expect(maximum.current.total == 4 << 20)
    }
}
