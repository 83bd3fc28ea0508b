import Campaign
import Foundation
import HTTPServerKit

/// `queue serve`: one read-only page of the campaign (`/`) and the same numbers as JSON (`/status.json`), served
/// by ``HTTPServer`` on its own threads, which may block on the queue. Nothing it answers changes the queue.
///
/// Every answer is `Cache-Control: no-store` and `X-Content-Type-Options: nosniff`; the page's Content-Security-
/// Policy allows only its own inline style and script (by a nonce drawn for each answer) and requests to itself.
/// Listening on loopback, it answers only requests addressed to a loopback name, so a web site that points a
/// name of its own at 127.0.0.1 (DNS rebinding) cannot read the page through a visitor's browser.
public final class CampaignPageServer: Sendable {
    private let server: HTTPServer

    /// The page's address, e.g. `http://127.0.0.1:8080` (the port chosen when ``CampaignPageOptions/port`` is 0).
    public var baseURL: String { server.baseURL }
    public var port: Int { server.port }

    /// Starts serving `queue`. Throws ``CampaignPageError`` when the address cannot be listened on.
    public init(queue: JobQueue, options: CampaignPageOptions) throws {
        let snapshots = CampaignSnapshots(queue: queue, options: options)
        let loopbackOnly = CampaignPageOptions.isLoopback(options.listen)
        do {
            server = try HTTPServer(host: options.listen, port: options.port) { request, response in
                CampaignPageServer.answer(
                    request, response, snapshots: snapshots, options: options, loopbackOnly: loopbackOnly)
            }
        } catch let error as HTTPServerError {
            throw CampaignPageError.listen(error, address: options.listen, port: options.port)
        }
    }

    /// Closes the listener and the connections; waits for answers under way.
    public func stop() {
        server.stop()
    }

    private static func answer(
        _ request: ServerRequest, _ response: ServerResponse, snapshots: CampaignSnapshots,
        options: CampaignPageOptions, loopbackOnly: Bool
    ) {
        guard request.method == "GET" || request.method == "HEAD" else {
            return sendText(
                response, status: 405, "this page is read-only: it answers GET and HEAD only",
                extra: [("Allow", "GET, HEAD")])
        }
        if loopbackOnly, let host = request.header("host"), !isLoopbackName(host) {
            return sendText(
                response, status: 403,
                "this page answers only to localhost, 127.0.0.1 or [::1]; "
                    + "open it by one of those names, or start queue serve with --listen")
        }
        switch request.path {
        case "/":
            let reading = snapshots.current()
            let nonce = Self.nonce()
            let page = CampaignPageHTML.page(reading, options: options, nonce: nonce)
            let policy =
                "default-src 'none'; script-src 'nonce-\(nonce)'; style-src 'nonce-\(nonce)'; connect-src 'self'; "
                + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
            send(
                response, status: reading.isSuccess ? 200 : 503, type: "text/html; charset=utf-8", policy: policy,
                body: Array(page.utf8))
        case "/status.json":
            switch snapshots.current() {
            case .success(let view):
                send(response, status: 200, type: "application/json; charset=utf-8", body: view.json())
            case .failure(let failure):
                let body = (try? JSONEncoder().encode(["error": failure.sentence])) ?? Data()
                send(response, status: 503, type: "application/json; charset=utf-8", body: Array(body))
            }
        default:
            sendText(
                response, status: 404,
                "there is nothing at \(request.path); the campaign page is at / and its data at /status.json")
        }
    }

    private static func sendText(
        _ response: ServerResponse, status: Int, _ sentence: String, extra: [(String, String)] = []
    ) {
        send(
            response, status: status, type: "text/plain; charset=utf-8", extra: extra,
            body: Array((sentence + "\n").utf8))
    }

    private static func send(
        _ response: ServerResponse, status: Int, type: String,
        policy: String = "default-src 'none'; frame-ancestors 'none'",
        extra: [(String, String)] = [], body: [UInt8]
    ) {
        response.send(
            status: status,
            headers: [
                ("Content-Type", type), ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"),
                ("Content-Security-Policy", policy), ("Referrer-Policy", "no-referrer"),
            ] + extra, body: body)
    }

    /// 128 random bits, base64: a new one for each page.
    private static func nonce() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
    }

    /// The Host header names this machine's loopback: `localhost`, `127.x.x.x` or `[::1]`, with any port.
    static func isLoopbackName(_ host: String) -> Bool {
        var name = Substring(host)
        if name.hasPrefix("["), let close = name.firstIndex(of: "]") {
            name = name[name.index(after: name.startIndex)..<close]
        } else if let colon = name.lastIndex(of: ":") {
            name = name[..<colon]
        }
        return CampaignPageOptions.isLoopback(String(name))
    }
}

extension Result {
    fileprivate var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
