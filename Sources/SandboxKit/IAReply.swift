import HTTPServerKit

/// A ``ServerResponse`` that remembers the status it sent, for the IA half's request log.
/// Confined to the request's connection thread, like the response it wraps.
final class IAReply {
    let response: ServerResponse
    private(set) var status = 0

    /// Called once, right before the answer (or the reset) leaves: the client may send its next request as soon as
    /// it has the answer, so whatever must be over by then ends here, not after the handler returns.
    var beforeAnswer: (() -> Void)?

    init(_ response: ServerResponse) {
        self.response = response
    }

    private func answering() {
        let hook = beforeAnswer
        beforeAnswer = nil
        hook?()
    }

    var hasResponded: Bool { response.hasResponded }

    func send(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        guard !response.hasResponded else { return }
        self.status = status
        answering()
        response.send(status: status, headers: headers, body: body)
    }

    func sendFile(status: Int, headers: [(String, String)] = [], path: String) throws {
        guard !response.hasResponded else { return }
        self.status = status
        answering()
        try response.sendFile(status: status, headers: headers, path: path)
    }

    /// Abortive close: the client sees a reset; logged as status 0.
    func reset() {
        status = 0
        answering()
        response.resetConnection()
    }
}
