/// Failures of the sandbox itself (not the faults it injects on purpose): a code and one sentence.
public struct SandboxError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable, Equatable {
        /// The configuration cannot be served (bad user name, duplicate user, bad numbers).
        case invalidConfiguration
        /// TurboJPEG failed or a size was impossible.
        case imageGeneration
        /// The data folder or an `imagesFrom` file could not be used.
        case fileAccess
        /// An id the sandbox does not know.
        case unknownImage
    }

    public let code: Code
    public let description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
