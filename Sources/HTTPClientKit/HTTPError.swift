/// A transport failure of an HTTP request. HTTP error statuses (4xx, 5xx) are responses, not errors.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        private init(_ name: String) { self.name = name }

        /// The whole transfer, the connect, or a stall ran out of time.
        public static let timeout = Code("timeout")
        /// No connection could be made (refused, unreachable, name not resolved).
        public static let connectionFailed = Code("connectionFailed")
        /// The connection broke during the transfer (reset, closed early, nothing received).
        public static let connectionReset = Code("connectionReset")
        /// A reused connection answered with bytes that are not HTTP: what an earlier answer on it sent beyond its
        /// `Content-Length`. ``HTTPClient/send(_:)`` sends GET and HEAD once more on a fresh connection.
        public static let garbledConnection = Code("garbledConnection")
        /// A `.memory` response body passed its limit.
        public static let bodyTooLarge = Code("bodyTooLarge")
        /// The awaiting task was cancelled or the client was shut down.
        public static let cancelled = Code("cancelled")
        /// A body file or response file could not be opened, read or written.
        public static let fileAccess = Code("fileAccess")
        /// The request itself cannot be sent as written (bad URL, method, header or region).
        public static let invalidRequest = Code("invalidRequest")
        /// The client could not start (libcurl's initialisation, or its loop thread): no request can be sent, and
        /// retrying cannot help.
        public static let unavailable = Code("unavailable")
        /// Anything else (TLS, protocol errors, libcurl failures).
        public static let other = Code("other")

        public var description: String { name }
    }

    public let code: Code
    /// One sentence naming what failed and what to do; never contains query strings, credentials or auth headers.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// True for failures worth retrying: timeouts, failed connects and broken or garbled connections.
    public var isTransient: Bool {
        code == .timeout || code == .connectionFailed || code == .connectionReset || code == .garbledConnection
    }

    public var description: String { message }
}
