/// Bytes that are not the JSON ``JSONParser`` expected: where, and what was wrong there.
public struct JSONError: Error, Sendable, CustomStringConvertible {
    /// The byte offset where reading stopped.
    public let offset: Int
    /// What was wrong, e.g. "expected ':'".
    public let problem: String

    public var description: String { "the JSON is malformed at byte \(offset): \(problem)" }
}
