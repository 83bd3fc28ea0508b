/// One request, confined to its connection thread.
public final class ServerRequest {
    public let method: String
    /// The raw request-target, e.g. "/images?x=1%20y".
    public let target: String
    /// The target before '?', still percent-encoded.
    public let rawPath: String
    /// The percent-decoded path.
    public let path: String
    /// Query pairs, decoded (`+` is a space), in order.
    public let query: [(name: String, value: String)]
    /// Header names lowercased, in order, duplicates kept.
    public let headers: [(name: String, value: String)]
    /// "HTTP/1.1" or "HTTP/1.0".
    public let version: String

    let io: ConnectionIO
    let framing: RequestHead.Framing
    /// The client asked to close, or the framing was ambiguous.
    let wantsClose: Bool
    /// Set by the response once it started: no `100 Continue` may follow.
    var responseStarted = false
    var continueSent = false
    var bodyState: BodyState
    public internal(set) var bytesReceived: Int64 = 0

    enum BodyState {
        case length(remaining: Int64)
        /// In a chunked body: bytes left in the current chunk (0 = a size line comes next).
        case chunked(remainingInChunk: Int64)
        case complete
    }

    init(head: RequestHead, io: ConnectionIO) {
        method = head.method
        target = head.target
        version = head.version
        headers = head.headers
        self.io = io
        framing = head.framing
        var pathPart = Substring(head.target)
        if !pathPart.hasPrefix("/"), let scheme = pathPart.firstRange(of: "://") {  // absolute-form: drop the authority
            let afterScheme = pathPart[scheme.upperBound...]
            pathPart = afterScheme.firstIndex(of: "/").map { afterScheme[$0...] } ?? "/"
        }
        var queryPart: Substring = ""
        if let question = pathPart.firstIndex(of: "?") {
            queryPart = pathPart[pathPart.index(after: question)...]
            pathPart = pathPart[..<question]
        }
        if let hash = queryPart.firstIndex(of: "#") { queryPart = queryPart[..<hash] }
        rawPath = String(pathPart)
        path = PercentDecoding.decode(pathPart, plusIsSpace: false)
        query = PercentDecoding.queryPairs(queryPart)

        let connection = head.headers.filter { $0.name == "connection" }
            .flatMap { $0.value.lowercased().split(separator: ",").map { $0.filter { $0 != " " && $0 != "\t" } } }
        if head.version == "HTTP/1.0" {
            wantsClose = head.mustClose || !connection.contains("keep-alive")
        } else {
            wantsClose = head.mustClose || connection.contains("close")
        }
        switch head.framing {
        case .none: bodyState = .complete
        case .length(let length): bodyState = .length(remaining: length)
        case .chunked: bodyState = .chunked(remainingInChunk: 0)
        }
    }

    /// The first value of query parameter `name`, or nil.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// The last value of header `name` (any case), or nil.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.last { $0.name == lowered }?.value
    }

    /// The declared body length; nil for chunked bodies and requests without Content-Length.
    public var contentLength: Int64? {
        if case .length(let length) = framing { return length }
        if framing == .none, header("content-length") != nil { return 0 }
        return nil
    }

    public var isChunked: Bool { framing == .chunked }

    /// The client sent `Expect: 100-continue` and waits for the go-ahead before sending its body.
    public var expectsContinue: Bool {
        header("expect")?.lowercased() == "100-continue"
    }

    /// True once the whole body (if any) has been read.
    var bodyComplete: Bool {
        if case .complete = bodyState { return true }
        return false
    }
}
