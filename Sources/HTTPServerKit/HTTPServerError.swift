/// A failure of the HTTP server: it could not start, or a request body could not be read.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        private init(_ name: String) { self.name = name }

        /// The listening socket could not be created, bound or listened on.
        public static let listenFailed = Code("listenFailed")
        /// The system refused a thread or a pipe.
        public static let resourceFailed = Code("resourceFailed")
        /// The client closed or reset the connection before the body ended.
        public static let connectionClosed = Code("connectionClosed")
        /// The chunked body framing is broken.
        public static let malformedBody = Code("malformedBody")
        /// The body is longer than the limit the handler gave.
        public static let bodyTooLarge = Code("bodyTooLarge")
        /// A file to send could not be opened or read.
        public static let fileAccess = Code("fileAccess")

        public var description: String { name }
    }

    public let code: Code
    /// One sentence naming what failed and what to do.
    public let message: String
    /// The `errno` of the system call that failed, when one did (`EADDRINUSE`: the port is taken).
    public let systemError: Int32?

    public init(_ code: Code, _ message: String, systemError: Int32? = nil) {
        self.code = code
        self.message = message
        self.systemError = systemError
    }

    public var description: String { message }

    /// The status a handler that let this error escape answers with.
    var responseStatus: Int {
        switch code {
        case .malformedBody: return 400
        case .bodyTooLarge: return 413
        default: return 500
        }
    }
}
