import Foundation
import HTTPClientKit
import HTTPServerKit
import Testing
import TestSupport

@Suite("HTTPClient connections, Expect and redirects")
struct ClientConnectionTests {
    @Test("200 concurrent requests over the shared loop all complete with their own bodies")
    func manyConcurrent() async throws {
        let server = try HTTPServer { request, response in
            let n = Int(request.queryValue("n") ?? "") ?? -1
            response.send(status: 200, body: patternBytes(count: 1_000 + n, seed: UInt64(n + 1)))
        }
        defer { server.stop() }
        let client = HTTPClient(maxTotalConnections: 32)
        let matched = try await withThrowingTaskGroup(of: Bool.self) { group in
            for n in 0..<200 {
                group.addTask {
                    let response = try await client.send(HTTPRequest(url: server.baseURL + "/item?n=\(n)"))
                    return response.status == 200
                        && response.body == patternBytes(count: 1_000 + n, seed: UInt64(n + 1))
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(matched == 200)
        #expect(server.acceptedConnections <= 32)
    }

    @Test("sequential requests reuse one kept-alive connection")
    func connectionReuse() async throws {
        let server = try HTTPServer { request, response in
            let body = try request.readBody(limit: 1 << 20)
            response.send(status: 200, body: body)
        }
        defer { server.stop() }
        let client = HTTPClient()
        for n in 0..<30 {
            let method = n % 3 == 0 ? "PUT" : n % 3 == 1 ? "GET" : "HEAD"
            let body: HTTPRequest.Body = method == "PUT" ? .bytes(patternBytes(count: 10_000)) : .none
            let response = try await client.send(
                HTTPRequest(method: method, url: server.baseURL + "/r\(n)", body: body))
            #expect(response.status == 200)
        }
        #expect(server.acceptedConnections <= 2)
    }

    @Test("with Expect: 100-continue a refusal comes back before the body is sent")
    func expectContinueRefused() async throws {
        let seen = Shared<(expects: Bool, received: Int64)>((false, -1))
        let server = try HTTPServer { request, response in
            seen.update { $0 = (request.expectsContinue, request.bytesReceived) }
            response.send(status: 403, body: Array("no such bucket".utf8))
        }
        defer { server.stop() }
        let uploaded = Shared<Int64>(0)
        var request = HTTPRequest(
            method: "PUT", url: server.baseURL + "/item/big.tar",
            body: .bytes(patternBytes(count: 8 << 20)))
        request.expectContinue = true
        request.progress = { progress in uploaded.update { $0 = max($0, progress.uploaded) } }
        let response = try await HTTPClient().send(request)
        #expect(response.status == 403)
        #expect(response.text == "no such bucket")
        #expect(seen.current.expects)
        #expect(seen.current.received == 0)
        #expect(uploaded.current < 1 << 20, "the client sent \(uploaded.current) body bytes after a refusal")
    }

    @Test("with Expect: 100-continue an accepted body arrives whole")
    func expectContinueAccepted() async throws {
        let seen = Shared<(expects: Bool, body: [UInt8])>((false, []))
        let server = try HTTPServer { request, response in
            let body = try request.readBody(limit: 4 << 20)
            seen.update { $0 = (request.expectsContinue, body) }
            response.send(status: 200)
        }
        defer { server.stop() }
        let client = HTTPClient()
        var request = HTTPRequest(
            method: "PUT", url: server.baseURL + "/ok", body: .bytes(patternBytes(count: 3 << 20)))
        request.expectContinue = true
        #expect(try await client.send(request).status == 200)
        #expect(seen.current.expects)
        #expect(seen.current.body == patternBytes(count: 3 << 20))
        // The client stays usable for the next request.
        #expect(try await client.send(HTTPRequest(url: server.baseURL + "/next")).status == 200)
    }

    @Test("redirects are returned, not followed, unless asked; Authorization never crosses hosts")
    func redirects() async throws {
        let seenAuthorization = Shared<[String]>([])
        let target = try HTTPServer { request, response in
            seenAuthorization.update { $0.append(request.header("authorization") ?? "none") }
            response.send(status: 200, body: Array("landed".utf8))
        }
        defer { target.stop() }
        // "localhost" and "127.0.0.1" are different hosts to the client.
        let otherHost = "http://localhost:\(target.port)/landing"
        let origin = try HTTPServer { request, response in
            if request.path == "/same" {
                response.send(status: 307, headers: [("Location", "/final")])
            } else if request.path == "/final" {
                seenAuthorization.update { $0.append("same-host " + (request.header("authorization") ?? "none")) }
                response.send(status: 200)
            } else {
                response.send(status: 302, headers: [("Location", otherHost)])
            }
        }
        defer { origin.stop() }
        let client = HTTPClient()
        let auth = [HTTPHeader("Authorization", "LOW key:secret")]
        let unfollowed = try await client.send(HTTPRequest(url: origin.baseURL + "/start", headers: auth))
        #expect(unfollowed.status == 302)
        #expect(unfollowed.header("location") == otherHost)
        #expect(seenAuthorization.current.isEmpty)

        var follow = HTTPRequest(url: origin.baseURL + "/start", headers: auth)
        follow.followRedirects = true
        let followed = try await client.send(follow)
        #expect(followed.status == 200)
        #expect(followed.text == "landed")
        var same = HTTPRequest(url: origin.baseURL + "/same", headers: auth)
        same.followRedirects = true
        #expect(try await client.send(same).status == 200)
        #expect(seenAuthorization.current == ["none", "same-host LOW key:secret"])
    }

    /// Threads of this process named like the HTTP client's loop thread (other suites' threads do not count).
    private func loopThreads() -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter {
            (try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8))?.hasPrefix("http-loop")
                ?? false
        }.count
    }

    @Test("clients created and dropped leave no loop threads behind")
    func clientsDoNotLeak() async throws {
        let server = try HTTPServer { _, response in response.send(status: 200) }
        defer { server.stop() }
        let threadsBefore = loopThreads()
        for _ in 0..<100 {
            let client = HTTPClient()
            #expect(try await client.send(HTTPRequest(url: server.baseURL + "/")).status == 200)
        }
        // Other suites create clients too; 100 leaked loop threads would show as about 100.
        #expect(loopThreads() - threadsBefore < 30, "loop threads: \(threadsBefore) → \(loopThreads())")
    }
}
