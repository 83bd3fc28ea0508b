/// A snapshot of one item in the IA sandbox.
public struct IASandboxItem: Sendable {
    public struct File: Sendable, Equatable {
        public let size: Int64
        public let md5: String
        /// Where the sandbox keeps the bytes (nil for listing-only preloaded files).
        public let path: String?
    }

    public let identifier: String
    public let owner: String?
    /// Keys in order with their values (repeated keys as several values).
    public let metadata: [(key: String, values: [String])]
    public let files: [String: File]
    public let dark: Bool

    /// The values of `key` (empty when absent).
    public func values(_ key: String) -> [String] { metadata.first { $0.key == key }?.values ?? [] }
}
