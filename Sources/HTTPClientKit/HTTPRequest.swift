/// One HTTP/1.1 request: what to send, where the response body goes, and how long to wait.
public struct HTTPRequest: Sendable {
    /// What the request carries. Bodies always go out with a `Content-Length`, never chunked.
    public enum Body: Sendable {
        case none
        case bytes([UInt8])
        /// `length` bytes of the file at `path`, starting at `offset`; read in blocks, never loaded whole.
        case file(path: String, offset: Int64, length: Int64)

        /// The number of bytes the body sends.
        public var length: Int64 {
            switch self {
            case .none: return 0
            case .bytes(let bytes): return Int64(bytes.count)
            case .file(_, _, let length): return length
            }
        }
    }

    /// Where the response body goes.
    public enum ResponseSink: Sendable {
        /// Kept in memory; the transfer fails with `.bodyTooLarge` as soon as the body passes `limit` bytes.
        case memory(limit: Int)
        /// Written to `path` (created or truncated when the transfer starts, not fsynced).
        /// After a failed transfer the file may hold part of a body.
        case file(path: String)
        /// Counted, then dropped.
        case discard
    }

    public var method: String
    public var url: String
    /// Sent in this order; duplicates allowed. An empty value sends the header with no value.
    public var headers: [HTTPHeader]
    public var body: Body
    public var response: ResponseSink
    /// Limit on the whole transfer, including time spent waiting for a free connection; nil = none.
    public var timeout: Duration?
    public var connectTimeout: Duration
    /// Abort with `.timeout` when no byte moved in either direction for this long (checked about once a second);
    /// nil = never. Waiting for the response counts too: set nil where the server may think for a long time.
    public var stallTimeout: Duration?
    /// Abort with `.timeout` when a window of the floor moves fewer bytes than it asks for; nil = no floor.
    public var minimumSpeed: TransferSpeedFloor?
    /// Open a new connection for this request instead of reusing a kept-alive one (CURLOPT_FRESH_CONNECT).
    public var freshConnection: Bool
    /// Send `Expect: 100-continue` with a body (curl then waits up to 1 s for the go-ahead).
    /// When false, the header is suppressed even for large bodies.
    public var expectContinue: Bool
    /// Follow up to 5 redirects (http and https only). Off by default: callers decide.
    /// libcurl never forwards an `Authorization` header to a different host.
    public var followRedirects: Bool
    /// Offer every encoding libcurl can decode (gzip, deflate, br, zstd) and hand back the decoded body; the memory
    /// limit and `bodyBytes` then count decoded bytes. Off by default: bodies arrive exactly as sent.
    public var acceptsCompression: Bool
    /// Called on the client's loop thread whenever bytes move; must be cheap and must not block.
    public var progress: (@Sendable (TransferProgress) -> Void)?

    public init(
        method: String = "GET", url: String, headers: [HTTPHeader] = [], body: Body = .none,
        response: ResponseSink = .memory(limit: 64 << 20)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.response = response
        self.timeout = nil
        self.connectTimeout = .seconds(30)
        self.stallTimeout = .seconds(60)
        self.minimumSpeed = nil
        self.freshConnection = false
        self.expectContinue = false
        self.followRedirects = false
        self.acceptsCompression = false
        self.progress = nil
    }

    /// The first header named `name` (ASCII case-insensitive) set on this request.
    public func header(_ name: String) -> String? {
        headers.first { $0.hasName(name) }?.value
    }

    /// Throws `.invalidRequest` when the request cannot be sent as written.
    func validate() throws {
        let shownURL = RedactedURL(url).text
        func invalid(_ reason: String) -> HTTPError {
            HTTPError(
                .invalidRequest,
                "the request \(method) \(shownURL) is invalid: \(reason); fix the request before sending it")
        }
        guard HTTPHeader.isToken(method) else { throw invalid("the method is not a valid token") }
        let lower = url.prefix(8).lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw invalid("only http and https URLs are supported")
        }
        guard !url.utf8.contains(where: { $0 <= 32 || $0 == 127 }) else {
            throw invalid("the URL contains spaces or control characters")
        }
        for header in headers {
            guard HTTPHeader.isToken(header.name) else { throw invalid("a header name is not a valid token") }
            guard HTTPHeader.isValidValue(header.value) else {
                throw invalid("the value of header \(header.name) contains a line break or NUL")
            }
        }
        switch body {
        case .none: break
        case .bytes: if method == "HEAD" { throw invalid("a HEAD request cannot carry a body") }
        case .file(let path, let offset, let length):
            if method == "HEAD" { throw invalid("a HEAD request cannot carry a body") }
            if path.isEmpty { throw invalid("the body file path is empty") }
            if offset < 0 || length < 0 { throw invalid("the body file region has a negative offset or length") }
        }
        if case .memory(let limit) = response, limit < 0 { throw invalid("the memory limit is negative") }
        if case .file(let path) = response, path.isEmpty { throw invalid("the response file path is empty") }
        if let timeout, timeout <= .zero { throw invalid("the timeout is not positive") }
        if connectTimeout <= .zero { throw invalid("the connect timeout is not positive") }
        if let stallTimeout, stallTimeout <= .zero { throw invalid("the stall timeout is not positive") }
        if let floor = minimumSpeed, floor.bytesPerSecond <= 0 || floor.window <= .zero {
            throw invalid("the minimum speed needs a positive rate and window")
        }
    }
}
