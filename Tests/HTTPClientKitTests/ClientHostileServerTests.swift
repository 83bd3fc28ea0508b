import Foundation
import HTTPClientKit
import HTTPServerKit
import Testing
import TestSupport

@Suite("HTTPClient against servers that trickle or send more than they declare")
struct ClientHostileServerTests {
    @Test("a transfer below the speed floor is cut as a timeout; one above it is not")
    func speedFloor() async throws {
        let body = patternBytes(count: 40_000)
        let server = try HTTPServer { request, response in
            // /slow: 100 bytes a second (400 s for the body); /fast: all at once.
            if request.path == "/slow" {
                response.sendTrickle(status: 200, body: body, bytesPerSecond: 100)
            } else {
                response.send(status: 200, body: body)
            }
        }
        defer { server.stop() }
        let client = HTTPClient()
        var slow = HTTPRequest(url: server.baseURL + "/slow")
        slow.minimumSpeed = TransferSpeedFloor(bytesPerSecond: 1000, window: .seconds(2))
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: HTTPError.self) { try await client.send(slow) }
        #expect(clock.now - started < .seconds(200), "cut after a window or two, not after the 400 s the body takes")
        #expect(error?.code == .timeout)
        #expect(error?.isTransient == true)
        #expect(
            error?.message.contains("GET \(server.baseURL)/slow was too slow: ") == true, "\(String(describing: error))"
        )
        #expect(error?.message.contains("below the floor of 1000 bytes/s") == true)

        var fast = HTTPRequest(url: server.baseURL + "/fast")
        fast.minimumSpeed = slow.minimumSpeed
        #expect(try await client.send(fast).body == body)
    }

    @Test("after an answer longer than its Content-Length, the next GET is sent again on a fresh connection")
    func garbledConnection() async throws {
        let requests = Shared<[String]>([])
        let server = try HTTPServer { request, response in
            requests.update { $0.append(request.method + " " + request.path) }
            if request.path == "/long" {
                // The excess waits for the client's next request: sent 50 ms later regardless, it could arrive
                // before a slow (loaded) client reused the connection, and libcurl drops a connection with unread
                // bytes instead of sending on it, so the GET would go out once, on a new connection, at once.
                response.sendOverlong(
                    status: 200, body: Array("declared".utf8), extra: Array("\u{0}junk after the body".utf8),
                    afterNextRequest: true)
            } else {
                response.send(status: 200, body: Array("fine".utf8))
            }
        }
        defer { server.stop() }
        let client = HTTPClient()
        #expect(try await client.send(HTTPRequest(url: server.baseURL + "/long")).text == "declared")
        // The kept-alive connection now starts with the junk: the GET meets it, then goes out again on a new one.
        #expect(try await client.send(HTTPRequest(url: server.baseURL + "/next")).text == "fine")
        #expect(requests.current == ["GET /long", "GET /next", "GET /next"])
        #expect(server.acceptedConnections == 2)

        // Another method is not sent twice: its caller gets a transient error and decides.
        _ = try await client.send(HTTPRequest(url: server.baseURL + "/long"))
        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(method: "PUT", url: server.baseURL + "/put", body: .bytes([1, 2, 3])))
        }
        #expect(error?.code == .garbledConnection)
        #expect(error?.isTransient == true)
        #expect(error?.message.contains("read an answer that is not HTTP on a reused connection") == true)
    }
}
