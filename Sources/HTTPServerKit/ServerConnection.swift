/// Serves the requests of one connection in order (keep-alive), on that connection's own thread.
struct ServerConnection {
    /// Request heads larger than this get 431.
    static let headLimit = 64 << 10
    /// A kept-alive connection with no new request for this long is closed.
    static let idleTimeoutMilliseconds: Int32 = 120_000

    let socket: ServerSocket
    let handler: HTTPServer.Handler

    func run() {
        let io = ConnectionIO(socket: socket)
        defer { socket.close() }
        while true {
            let bytes: [UInt8]
            switch io.readHead(
                limit: ServerConnection.headLimit,
                idleTimeoutMilliseconds: ServerConnection.idleTimeoutMilliseconds)
            {
            case .closed:
                return
            case .tooLarge:
                refuse(io, status: 431, reason: "request header fields exceed \(ServerConnection.headLimit) bytes")
                return
            case .head(let head):
                bytes = head
            }
            let head: RequestHead
            do {
                head = try RequestHead.parse(bytes)
            } catch {
                refuse(io, status: error.status, reason: error.reason)
                return
            }
            let request = ServerRequest(head: head, io: io)
            let response = ServerResponse(request: request, io: io)
            serve(request, response)
            if response.wasReset { return }
            if response.closesConnection || io.broken || !request.bodyComplete {
                io.lingeringClose()
                return
            }
        }
    }

    /// Runs the handler; answers 500 (or the status a body error implies) when it threw or did not respond.
    private func serve(_ request: ServerRequest, _ response: ServerResponse) {
        do {
            try handler(request, response)
            if !response.hasResponded {
                response.send(
                    status: 500, headers: [("Content-Type", "text/plain; charset=utf-8")],
                    body: Array("Internal Server Error: the handler sent no response\n".utf8))
            }
        } catch {
            guard !response.hasResponded else { return }
            let status = (error as? HTTPServerError)?.responseStatus ?? 500
            response.send(
                status: status, headers: [("Content-Type", "text/plain; charset=utf-8")],
                body: Array("\(HTTPStatusText.reason(status)): \(error)\n".utf8))
        }
    }

    /// Answers a request that could not be parsed, then closes.
    private func refuse(_ io: ConnectionIO, status: Int, reason: String) {
        let body = Array("\(HTTPStatusText.reason(status)): \(reason)\n".utf8)
        let head =
            "HTTP/1.1 \(status) \(HTTPStatusText.reason(status))\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        io.write(Array(head.utf8) + body)
        io.lingeringClose()
    }
}
