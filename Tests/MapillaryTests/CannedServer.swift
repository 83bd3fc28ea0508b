import Foundation
import HTTPServerKit
import Synchronization

/// A one-route-per-path HTTP server answering canned bodies, for answers the sandbox never gives
/// (HTML from a proxy, pretty-printed pages, foreign next links). Records every request.
final class CannedServer: Sendable {
    struct Answer: Sendable {
        var status: Int
        var contentType: String
        var body: [UInt8]
        /// Sent as `Content-Encoding` when the request offered it in `Accept-Encoding` (else the answer is 406).
        var contentEncoding: String? = nil

        static func json(_ text: String, status: Int = 200) -> Answer {
            Answer(status: status, contentType: "application/json", body: Array(text.utf8))
        }
    }

    struct Seen: Sendable {
        let target: String
        let authorization: String?
        let acceptEncoding: String?
    }

    /// The requests seen, shared with the server's handler.
    private final class Log: Sendable {
        let entries = Mutex<[Seen]>([])
    }

    /// Released by `stop()`: the server's deinit stops it exactly once.
    private let server: Mutex<HTTPServer?>
    private let log = Log()
    let baseURL: String

    /// `answers` maps a path (without query) to its answer; others get 404.
    init(_ answers: [String: Answer]) throws {
        let log = self.log
        let server = try HTTPServer(port: 0) { request, response in
            let offered = request.header("Accept-Encoding")
            log.entries.withLock {
                $0.append(
                    Seen(
                        target: request.target, authorization: request.header("Authorization"), acceptEncoding: offered)
                )
            }
            let answer =
                answers[request.path] ?? Answer(status: 404, contentType: "text/plain", body: Array("nope".utf8))
            guard let encoding = answer.contentEncoding else {
                response.send(status: answer.status, headers: [("Content-Type", answer.contentType)], body: answer.body)
                return
            }
            guard offered?.contains(encoding) == true else {
                response.send(status: 406, headers: [("Content-Type", "text/plain")], body: Array("not offered".utf8))
                return
            }
            response.send(
                status: answer.status, headers: [("Content-Type", answer.contentType), ("Content-Encoding", encoding)],
                body: answer.body)
        }
        baseURL = server.baseURL
        self.server = Mutex(server)
    }

    var requests: [Seen] { log.entries.withLock { $0 } }
    func stop() {
        let running = server.withLock { server in
            defer { server = nil }
            return server
        }
        withExtendedLifetime(running) {}
    }
}
