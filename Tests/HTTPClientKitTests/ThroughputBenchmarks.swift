import Foundation
import HTTPClientKit
import HTTPServerKit
import Synchronization
import Testing
import TestSupport

/// Loopback throughput of client + server, against the curl command line. Opt-in, and meant for release builds:
/// `HTTP_BENCH=1 swift test -c release --filter ThroughputBenchmarks`.
@Suite(
    "HTTP throughput (HTTP_BENCH=1)", .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["HTTP_BENCH"] != nil))
struct ThroughputBenchmarks {
    static let bigSize = 1 << 30

    private func rate(_ bytes: Int, _ elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return String(format: "%.0f MB/s (%.2f s)", Double(bytes) / seconds / 1e6, seconds)
    }

    private func makeBigFile(_ dir: TemporaryDirectory) throws -> String {
        let path = dir.file("big.bin")
        let block = patternBytes(count: 1 << 20)
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        for _ in 0..<(ThroughputBenchmarks.bigSize >> 20) { handle.write(Data(block)) }
        try handle.close()
        return path
    }

    private func seconds(_ body: () throws -> Void) rethrows -> Duration {
        let start = ContinuousClock.now
        try body()
        return ContinuousClock.now - start
    }

    @Test("1 GiB PUT from a file and 1 GiB GET to discard, client vs curl")
    func bigTransfers() async throws {
        let dir = try TemporaryDirectory("http-bench")
        defer { dir.remove() }
        let path = try makeBigFile(dir)
        let received = Atomic<Int64>(0)
        let server = try HTTPServer { request, response in
            if request.method == "PUT" {
                var count: Int64 = 0
                try request.readBody { count += Int64($0.count) }
                received.store(count, ordering: .relaxed)
                response.send(status: 200)
            } else {
                try response.sendFile(status: 200, path: path)
            }
        }
        defer { server.stop() }
        let client = HTTPClient()
        let size = ThroughputBenchmarks.bigSize
        for round in 1...2 {
            var start = ContinuousClock.now
            let put = try await client.send(
                HTTPRequest(
                    method: "PUT", url: server.baseURL + "/big",
                    body: .file(path: path, offset: 0, length: Int64(size))))
            let putTime = ContinuousClock.now - start
            #expect(put.status == 200 && received.load(ordering: .relaxed) == Int64(size))
            start = ContinuousClock.now
            let get = try await client.send(HTTPRequest(url: server.baseURL + "/big", response: .discard))
            let getTime = ContinuousClock.now - start
            #expect(get.bodyBytes == Int64(size))
            let curlPut = try seconds {
                try ExternalTool.run("curl", ["-s", "-f", "-o", "/dev/null", "-T", path, server.baseURL + "/big"])
            }
            let curlGet = try seconds {
                try ExternalTool.run("curl", ["-s", "-f", "-o", "/dev/null", server.baseURL + "/big"])
            }
            print(
                "round \(round): client PUT \(rate(size, putTime)), GET \(rate(size, getTime)); "
                    + "curl -T \(rate(size, curlPut)), curl -o /dev/null \(rate(size, curlGet))")
        }
    }

    @Test("500 GETs of 200 KB at 16 concurrent")
    func manySmall() async throws {
        let body = patternBytes(count: 200_000)
        let server = try HTTPServer { _, response in response.send(status: 200, body: body) }
        defer { server.stop() }
        let client = HTTPClient()
        for round in 1...3 {
            let start = ContinuousClock.now
            let ok = try await withThrowingTaskGroup(of: Int.self) { group in
                var next = 0, done = 0
                func add() {
                    let n = next
                    next += 1
                    group.addTask { try await client.send(HTTPRequest(url: server.baseURL + "/i/\(n)")).body.count }
                }
                for _ in 0..<16 { add() }
                while let count = try await group.next() {
                    if count == 200_000 { done += 1 }
                    if next < 500 { add() }
                }
                return done
            }
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            #expect(ok == 500)
            print(
                String(
                    format: "round \(round): 500 × 200 KB at 16 concurrent: %.0f requests/s (%.3f s), "
                        + "accepted connections so far \(server.acceptedConnections)", 500 / seconds, seconds))
        }
    }
}
