import HTTPServerKit

/// A ``ServerResponse`` that remembers the status it sent, for the IA half's request log.
/// Confined to the request's connection thread, like the response it wraps.
final class IAReply {
    let response: ServerResponse
    private(set) var status = 0

    init(_ response: ServerResponse) {
        self.response = response
    }

    var hasResponded: Bool { response.hasResponded }

    func send(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        guard !response.hasResponded else { return }
        self.status = status
        response.send(status: status, headers: headers, body: body)
    }

    func sendFile(status: Int, headers: [(String, String)] = [], path: String) throws {
        guard !response.hasResponded else { return }
        self.status = status
        try response.sendFile(status: status, headers: headers, path: path)
    }

    /// Abortive close: the client sees a reset; logged as status 0.
    func reset() {
        status = 0
        response.resetConnection()
    }
}
