import Foundation
import HTTPClientKit
import HTTPServerKit
import Testing

@Suite("HTTPClient queueing and early answers")
struct ClientQueueTests {
    @Test("a refusal sent while a body is still uploading (no Expect) reaches the client as a response")
    func earlyRefusalDuringUpload() async throws {
        let server = try HTTPServer { _, response in
            response.send(status: 503, body: Array("<Error><Code>SlowDown</Code></Error>".utf8))
        }
        defer { server.stop() }
        let client = HTTPClient()
        for _ in 0..<3 {
            let request = HTTPRequest(
                method: "PUT", url: server.baseURL + "/item/file",
                body: .bytes(patternBytes(count: 24 << 20)))
            let response = try await client.send(request)
            #expect(response.status == 503)
            #expect(response.text.contains("SlowDown"))
        }
    }

    @Test("a transfer waiting for a free connection is not counted as stalled")
    func queuedIsNotStalled() async throws {
        let server = try HTTPServer { request, response in
            if request.path == "/hold" { usleep(2_300_000) }
            response.send(status: 200, body: Array(request.path.utf8))
        }
        defer { server.stop() }
        let client = HTTPClient(maxTotalConnections: 1)
        var hold = HTTPRequest(url: server.baseURL + "/hold")
        hold.stallTimeout = nil
        async let first = client.send(hold)
        try await Task.sleep(for: .milliseconds(100))
        var queued = HTTPRequest(url: server.baseURL + "/queued")
        queued.stallTimeout = .seconds(1)
        let second = try await client.send(queued)
        #expect(second.text == "/queued")
        #expect(try await first.text == "/hold")
        #expect(server.acceptedConnections == 1)
    }

    @Test("cancellations racing completions resume every request exactly once")
    func cancellationRace() async throws {
        let server = try HTTPServer { request, response in
            usleep(UInt32.random(in: 0...3_000))
            response.send(status: 200, body: Array(request.path.utf8))
        }
        defer { server.stop() }
        let client = HTTPClient(maxTotalConnections: 8)
        let outcomes = await withTaskGroup(of: String.self) { group in
            for n in 0..<150 {
                let task = Task { try await client.send(HTTPRequest(url: server.baseURL + "/\(n)")) }
                group.addTask {
                    try? await Task.sleep(for: .microseconds(Int.random(in: 0...4_000)))
                    task.cancel()
                    switch await task.result {
                    case .success(let response): return response.text == "/\(n)" ? "ok" : "wrong body"
                    case .failure(let error):
                        return (error as? HTTPError)?.code == .cancelled ? "cancelled" : "\(error)"
                    }
                }
            }
            return await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(outcomes.keys.allSatisfy { $0 == "ok" || $0 == "cancelled" }, "\(outcomes)")
        #expect(outcomes.values.reduce(0, +) == 150)
        // The loop is healthy afterwards.
        #expect(try await client.send(HTTPRequest(url: server.baseURL + "/last")).text == "/last")
    }
}
