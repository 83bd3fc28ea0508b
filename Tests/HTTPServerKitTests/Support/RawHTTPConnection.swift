import Foundation

/// A plain blocking TCP client for checking what the server puts on the wire (bad requests, chunked bodies).
final class RawHTTPConnection {
    struct Response {
        let status: Int
        let reason: String
        /// Names lowercased.
        let headers: [(name: String, value: String)]
        let body: [UInt8]
        func header(_ name: String) -> String? { headers.last { $0.name == name }?.value }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let fd: Int32
    private var pending: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            // No close here: deinit runs for a class whose init throws after full initialization, and closes it.
            throw Failure(description: "connect failed: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        close(fd)
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard n > 0 else { throw Failure(description: "send failed") }
            offset += n
        }
    }

    /// Reads one response framed by Content-Length (or until end of stream without one).
    func readResponse() throws -> Response {
        while true {
            if let end = headEnd() {
                let head = String(decoding: pending[0..<end], as: UTF8.self)
                pending.removeFirst(end + 4)
                var lines = head.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
                let reason = statusLine.count > 2 ? String(statusLine[2]) : ""
                guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
                    throw Failure(description: "bad status line \(head)")
                }
                let headers = lines.compactMap { line -> (name: String, value: String)? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return (
                        line[..<colon].lowercased(),
                        line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    )
                }
                if status == 100 { continue }
                if let length = headers.last(where: { $0.name == "content-length" }).flatMap({ Int($0.value) }) {
                    while pending.count < length {
                        guard try receive() > 0 else { throw Failure(description: "body ended early") }
                    }
                    let body = Array(pending[0..<length])
                    pending.removeFirst(length)
                    return Response(status: status, reason: reason, headers: headers, body: body)
                }
                while try receive() > 0 {}
                defer { pending = [] }
                return Response(status: status, reason: reason, headers: headers, body: pending)
            }
            guard try receive() > 0 else { throw Failure(description: "connection closed before a response") }
        }
    }

    /// True when the server closed the connection (end of stream) within the receive timeout.
    func isClosedByServer() -> Bool {
        guard pending.isEmpty else { return false }
        return (try? receive()) == 0
    }

    private func headEnd() -> Int? {
        guard pending.count >= 4 else { return nil }
        for i in 0...(pending.count - 4)
        where pending[i] == 13 && pending[i + 1] == 10 && pending[i + 2] == 13 && pending[i + 3] == 10 {
            return i
        }
        return nil
    }

    private func receive() throws -> Int {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 {
            if errno == ECONNRESET { return 0 }
            throw Failure(description: "recv failed: \(String(cString: strerror(errno)))")
        }
        pending += chunk[0..<n]
        return n
    }
}
