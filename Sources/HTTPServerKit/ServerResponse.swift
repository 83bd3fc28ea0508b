import Essentials

/// The response to one request, confined to its connection thread. Only the first send counts; later ones are ignored.
public final class ServerResponse {
    /// The request this response answers.
    public let request: ServerRequest
    let io: ConnectionIO
    public private(set) var hasResponded = false
    /// The connection closes after this response (client asked, body left unread, or the handler said so).
    private(set) var closesConnection = false
    private(set) var wasReset = false

    init(request: ServerRequest, io: ConnectionIO) {
        self.request = request
        self.io = io
    }

    /// Sends a complete response; Content-Length is set from `body` (for HEAD a handler's own Content-Length is kept,
    /// and no body goes out).
    public func send(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        guard !hasResponded else { return }
        var (head, sendsBody) = beginResponse(status: status, headers: headers, contentLength: Int64(body.count))
        if sendsBody && !body.isEmpty {
            if body.count <= 64 << 10 {
                head += body
                io.write(head)
            } else if io.write(head) {
                io.write(body)
            }
        } else {
            io.write(head)
        }
    }

    /// Streams the file at `path` as the body (sendfile); throws `.fileAccess` before anything is sent when the file
    /// cannot be opened. A file that shrinks while it is sent breaks the connection.
    public func sendFile(status: Int, headers: [(String, String)] = [], path: String) throws {
        guard !hasResponded else { return }
        let file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else {
            let reason = String(cString: strerror(errno))
            throw HTTPServerError(
                .fileAccess, "could not open \(path) to send it: \(reason); check that the file exists")
        }
        defer { close(file) }
        var info = stat()
        guard fstat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw HTTPServerError(.fileAccess, "\(path) is not a regular file; send a regular file")
        }
        let size = Int64(info.st_size)
        let (head, sendsBody) = beginResponse(status: status, headers: headers, contentLength: size)
        guard io.write(head), sendsBody, size > 0 else { return }
        if io.sendFile(file, offset: 0, count: size) < size { io.markBroken() }
    }

    /// Sends a head with `contentLength`, then whatever `produce` writes through the function it is given.
    /// Writing more than `contentLength` throws; writing less breaks the connection (the client sees a short body).
    public func sendStream(
        status: Int, headers: [(String, String)] = [], contentLength: Int64,
        _ produce: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws {
        guard !hasResponded else { return }
        let (head, sendsBody) = beginResponse(status: status, headers: headers, contentLength: contentLength)
        guard io.write(head), sendsBody else { return }
        var sent: Int64 = 0
        defer { if sent != contentLength { io.markBroken() } }
        try produce { bytes in
            guard sent + Int64(bytes.count) <= contentLength else {
                throw HTTPServerError(
                    .resourceFailed,
                    "a streamed response wrote more than its Content-Length of "
                        + "\(contentLength) bytes; write exactly the declared length")
            }
            guard io.write(bytes) else {
                throw HTTPServerError(
                    .connectionClosed,
                    "the client closed the connection during the response; "
                        + "nothing more can be sent")
            }
            sent += Int64(bytes.count)
        }
    }

    /// Abortive close (SO_LINGER 0): the client sees a connection reset and no response.
    public func resetConnection() {
        hasResponded = true
        wasReset = true
        request.responseStarted = true
        io.markBroken()
        io.socket.reset()
    }

    /// Builds the status line and headers; decides whether the connection survives this response.
    func beginResponse(
        status: Int, headers: [(String, String)],
        contentLength: Int64
    ) -> (head: [UInt8], sendsBody: Bool) {
        hasResponded = true
        request.responseStarted = true
        let status = (100...999).contains(status) ? status : 500
        let isHead = request.method == "HEAD"
        let bodyless = HTTPStatusText.forbidsBody(status)
        var close = request.wantsClose || !request.bodyComplete || io.broken
        var text = "HTTP/1.1 \(status) \(HTTPStatusText.reason(status))\r\n"
        var declaredLength: String?
        for (name, value) in headers {
            switch name.lowercased() {
            case "content-length":
                declaredLength = value
            case "transfer-encoding":
                continue
            case "connection":
                if value.lowercased().contains("close") { close = true }
            default:
                text += ServerResponse.clean(name) + ": " + ServerResponse.clean(value) + "\r\n"
            }
        }
        if !bodyless {
            if isHead, let declaredLength, !declaredLength.isEmpty,
                declaredLength.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 })
            {
                text += "Content-Length: \(declaredLength)\r\n"
            } else {
                text += "Content-Length: \(contentLength)\r\n"
            }
        }
        if close { text += "Connection: close\r\n" }
        text += "\r\n"
        closesConnection = close
        return (Array(text.utf8), !isHead && !bodyless)
    }

    /// Header text without line breaks (a handler bug must not split the response).
    private static func clean(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 13 || $0 == 10 }) else { return text }
        return String(text.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" ? " " : $0 })
    }
}
