/// The final response of a transfer (never a `100 Continue` or a redirect that was followed).
public struct HTTPResponse: Sendable {
    public let status: Int
    /// Headers of the final response, in the order received, duplicates kept.
    public let headers: [HTTPHeader]
    /// The body, filled only when the request's sink was `.memory`.
    public let body: [UInt8]
    /// Body bytes received, whatever the sink.
    public let bodyBytes: Int64

    public init(status: Int, headers: [HTTPHeader], body: [UInt8], bodyBytes: Int64) {
        self.status = status
        self.headers = headers
        self.body = body
        self.bodyBytes = bodyBytes
    }

    /// The value of the last header named `name` (ASCII case-insensitive), or nil.
    public func header(_ name: String) -> String? {
        headers.last { $0.hasName(name) }?.value
    }

    /// Every value of the headers named `name`, in order.
    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.hasName(name) }.map(\.value)
    }

    /// The `Retry-After` header in seconds (the HTTP-date form is ignored), capped at one hour.
    public var retryAfter: Duration? {
        guard let text = header("Retry-After"), let seconds = Int(text.filter { $0 != " " && $0 != "\t" }),
            seconds >= 0
        else { return nil }
        return .seconds(min(seconds, 3600))
    }

    /// True for 2xx statuses.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body decoded as UTF-8 (invalid bytes replaced), for error messages and JSON.
    public var text: String { String(decoding: body, as: UTF8.self) }
}
