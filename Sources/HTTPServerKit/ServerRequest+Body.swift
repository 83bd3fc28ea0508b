extension ServerRequest {
    /// Longest chunk-size or trailer line accepted.
    private static let framingLineLimit = 8 << 10

    /// Streams the body; sends `100 Continue` first when the client asked for it. Handles Content-Length and chunked.
    /// Each buffer is valid only during its call. Throws `HTTPServerError` when the client goes away or the
    /// chunked framing is broken; after that the connection closes once the response is sent.
    public func readBody(_ chunk: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !bodyComplete else { return }
        sendContinueIfAsked()
        while true {
            switch bodyState {
            case .complete:
                return
            case .length(let remaining):
                let bytes = try io.readBytes(maximum: remaining)
                bytesReceived += Int64(bytes.count)
                let left = remaining - Int64(bytes.count)
                bodyState = left == 0 ? .complete : .length(remaining: left)
                try chunk(bytes)
            case .chunked(let remainingInChunk):
                if remainingInChunk > 0 {
                    let bytes = try io.readBytes(maximum: remainingInChunk)
                    bytesReceived += Int64(bytes.count)
                    let left = remainingInChunk - Int64(bytes.count)
                    bodyState = .chunked(remainingInChunk: left)
                    try chunk(bytes)  // before any further read: the next read may reuse the buffer
                    if left == 0 { try expectChunkEnd() }
                } else {
                    let size = try readChunkSize()
                    if size == 0 {
                        try skipTrailers()
                        bodyState = .complete
                    } else {
                        bodyState = .chunked(remainingInChunk: size)
                    }
                }
            }
        }
    }

    /// The whole body in memory; throws `.bodyTooLarge` as soon as it passes `limit` bytes.
    public func readBody(limit: Int) throws -> [UInt8] {
        if let length = contentLength, length > Int64(limit) {
            io.markBroken()
            throw tooLarge(limit)
        }
        var body: [UInt8] = []
        if let length = contentLength { body.reserveCapacity(Int(length)) }
        try readBody { bytes in
            guard body.count + bytes.count <= limit else {
                io.markBroken()
                throw tooLarge(limit)
            }
            body.append(contentsOf: bytes)
        }
        return body
    }

    private func tooLarge(_ limit: Int) -> HTTPServerError {
        HTTPServerError(
            .bodyTooLarge,
            "the request body of \(method) \(rawPath) is larger than \(limit) bytes; "
                + "send a smaller body")
    }

    private func sendContinueIfAsked() {
        guard expectsContinue, !continueSent, !responseStarted else { return }
        continueSent = true
        io.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
    }

    private func readChunkSize() throws -> Int64 {
        let line = try io.readLine(limit: ServerRequest.framingLineLimit)
        var size: Int64 = 0
        var digits = 0
        for byte in line {
            let value: Int64
            switch byte {
            case 48...57: value = Int64(byte - 48)
            case 65...70: value = Int64(byte - 55)
            case 97...102: value = Int64(byte - 87)
            case 59, 32, 9:  // ';' starts chunk extensions (ignored); whitespace before it is tolerated
                return try finishSize(size, digits: digits)
            default:
                throw malformed("a chunk size is not hexadecimal")
            }
            digits += 1
            guard digits <= 15 else { throw malformed("a chunk size is too large") }
            size = size << 4 | value
        }
        return try finishSize(size, digits: digits)
    }

    private func finishSize(_ size: Int64, digits: Int) throws -> Int64 {
        guard digits > 0 else { throw malformed("a chunk size line is empty") }
        return size
    }

    private func expectChunkEnd() throws {
        let line = try io.readLine(limit: ServerRequest.framingLineLimit)
        guard line.isEmpty else { throw malformed("chunk data is longer than its size") }
    }

    private func skipTrailers() throws {
        while try !io.readLine(limit: ServerRequest.framingLineLimit).isEmpty {}
    }

    private func malformed(_ reason: String) -> HTTPServerError {
        io.markBroken()
        return HTTPServerError(
            .malformedBody,
            "the chunked body of \(method) \(rawPath) is malformed (\(reason)); "
                + "send valid chunked encoding")
    }
}
