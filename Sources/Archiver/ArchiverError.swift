/// A failure of the pipeline: one plain sentence naming the thing and the fix.
public struct ArchiverError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case usage, busy, io, stagingMismatch, existingItem, publish, tokenRejected, diskFull, upload, internalError
        /// A campaign worker no longer holds the job (its lease ran out and another worker took it).
        case leaseLost
        /// The API kept listing pages it had already sent.
        case listingLoop
        /// Nothing moved for the no-progress time limit.
        case noProgress
    }

    public let code: Code
    public let description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    /// Errors that stop the whole batch, not just one user: every other user would fail the same way.
    public var stopsBatch: Bool { code == .tokenRejected || code == .diskFull }
}
