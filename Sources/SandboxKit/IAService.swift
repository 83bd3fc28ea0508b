import Essentials
import HTTPServerKit

/// What the fake IAS3 and the fake archive.org share: one configuration, one item store, one set of controls and one
/// request log.
struct IAServiceParts: Sendable {
    let configuration: InternetArchiveSandboxConfiguration
    let store: IAItemStore
    let controls: IASandboxControls
    let log: IARequestLog
}

/// One of the IA half's two servers, over the shared ``IAServiceParts``.
protocol IAService: Sendable {
    var parts: IAServiceParts { get }
    /// Which server this is, in the request log.
    static var host: IARequestRecord.Host { get }
}

extension IAService {
    var configuration: InternetArchiveSandboxConfiguration { parts.configuration }
    var store: IAItemStore { parts.store }
    var controls: IASandboxControls { parts.controls }
    var log: IARequestLog { parts.log }

    /// Answers `request` with `body` after the configured latency, and records it in the log, whatever the answer.
    func answer(_ request: ServerRequest, _ serverResponse: ServerResponse, _ body: (IAReply) -> Void) {
        let response = IAReply(serverResponse)
        defer {
            log.append(
                IARequestRecord(
                    host: Self.host, method: request.method, target: request.target, path: request.path,
                    query: request.query, headers: request.headers, status: response.status,
                    bodyBytes: request.bytesReceived))
        }
        DedicatedThread.sleep(configuration.latency)
        body(response)
    }
}
