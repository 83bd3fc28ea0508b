/// How the item's local files compare with what IA's metadata API lists.
public struct RemoteVerification: Sendable {
    /// A file IA lists with another MD5 than the local one.
    public struct Mismatch: Sendable, Equatable {
        public let key: String
        public let localMD5: String
        public let remoteMD5: String
    }

    public let identifier: String
    /// True when the metadata API knows the item at all.
    public var itemFound = false
    /// Keys listed with the local MD5.
    public var verified: [String] = []
    /// Keys not listed (yet).
    public var pending: [String] = []
    public var mismatched: [Mismatch] = []
    /// True when the metadata API could not be read at the last poll.
    public var unreachable = false
    /// The pending keys the journal records as uploaded less than ``ingestGrace`` ago: IA may still be ingesting
    /// them, and a plain upload does not send them again before that.
    public var recentlyUploaded: [String] = []
    /// The grace period ``recentlyUploaded`` was judged by (``UploadOptions/ingestGrace``).
    public var ingestGrace: Duration = UploadOptions().ingestGrace

    public init(identifier: String) {
        self.identifier = identifier
    }

    /// Every local file is listed with its MD5.
    public var isComplete: Bool { pending.isEmpty && mismatched.isEmpty && !unreachable }

    /// One sentence for the user.
    public var summary: String {
        if isComplete { return "\(identifier): all \(verified.count) files are on IA with matching MD5s" }
        var parts: [String] = []
        if unreachable { parts.append("the metadata API could not be read") }
        if !pending.isEmpty { parts.append("\(pending.count) files are not yet visible on IA") }
        if !mismatched.isEmpty { parts.append("\(mismatched.count) files differ from IA's copy") }
        return "\(identifier): \(verified.count) files verified, " + parts.joined(separator: ", ")
    }

    /// The command that helps with what is missing or different, for the item folder `item`; empty when complete.
    public func nextStep(item: String) -> String {
        if isComplete { return "" }
        if unreachable { return "run `mapillary-archiver verify --remote \(item)` later" }
        var steps: [String] = []
        let resendable = pending.count - recentlyUploaded.count + mismatched.count
        if resendable > 0 {
            steps.append(
                "`mapillary-archiver upload \(item)` sends the \(resendable) files IA lacks or holds with "
                    + "another MD5 again")
        }
        if !recentlyUploaded.isEmpty {
            steps.append(
                "\(recentlyUploaded.count) files were uploaded less than \(ingestGrace.spoken) ago and IA "
                    + "may still be ingesting them: check with `mapillary-archiver verify --remote \(item)` later, "
                    + "or, if IA lost them, send them again now with `mapillary-archiver upload --resend \(item)`")
        }
        return steps.joined(separator: "; ")
    }
}
