import Essentials

/// Async HTTP/1.1 over libcurl: one multi handle on one dedicated thread carries every transfer,
/// reusing connections. Safe to share between any number of tasks.
public final class HTTPClient: Sendable {
    private let loop: CurlLoop
    private let userAgent: String

    /// `maxTotalConnections` caps open connections (and the idle ones kept for reuse); more transfers wait their turn.
    public init(maxTotalConnections: Int = 64, userAgent: String = "\(ToolVersion.name)/\(ToolVersion.current)") {
        self.loop = CurlLoop(maxTotalConnections: maxTotalConnections)
        self.userAgent = userAgent
    }

    deinit {
        // A client may be released on a thread of the cooperative pool: never wait for the loop thread there.
        loop.shutdown(waiting: false)
    }

    /// Sends `request` and waits for the final response.
    ///
    /// HTTP error statuses (4xx/5xx) are normal responses, not thrown errors. Throws `HTTPError` for transport
    /// failures; cancelling the awaiting task stops the transfer promptly and throws `.cancelled`. A GET or HEAD
    /// that meets a garbled reused connection (`.garbledConnection`) is sent once more on a fresh connection;
    /// other methods get the error, which is transient.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        do {
            return try await sendOnce(request)
        } catch let error as HTTPError
            where error.code == .garbledConnection && !request.freshConnection
            && (request.method == "GET" || request.method == "HEAD")
        {
            var fresh = request
            fresh.freshConnection = true
            return try await sendOnce(fresh)
        }
    }

    private func sendOnce(_ request: HTTPRequest) async throws -> HTTPResponse {
        try request.validate()
        let transfer = Transfer(request: request, userAgent: userAgent)
        if Task.isCancelled { throw transfer.cancelledError }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                loop.submit(transfer, continuation)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }

    /// Stops the loop thread and waits for it; transfers in flight fail with `.cancelled`, later sends too.
    public func shutdown() {
        loop.shutdown()
    }
}
