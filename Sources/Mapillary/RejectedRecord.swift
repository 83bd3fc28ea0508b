/// A record of a page that was refused, with why and a preview that is safe to log.
public struct RejectedRecord: Sendable, Equatable {
    /// One sentence: what is wrong with the record.
    public let reason: String
    /// The start of the record's JSON with control characters escaped (at most ~120 characters).
    public let preview: String

    public init(reason: String, rawJSON: some Collection<UInt8>) {
        self.reason = reason
        self.preview = MapillaryError.sanitized(String(decoding: Array(rawJSON.prefix(480)), as: UTF8.self), limit: 120)
    }
}
