/// What one ``ItemUploader/upload(itemPath:options:)`` did.
public struct UploadReport: Sendable {
    public let identifier: String
    /// Keys sent in this run, in order.
    public var uploaded: [String] = []
    /// Keys skipped on the journal's word alone (an earlier run finished them, size and mtime unchanged): IA's
    /// view was unknown, or IA does not list them yet and their upload is younger than the ingest grace.
    public var skippedFromJournal: [String] = []
    /// Keys skipped because IA already holds them with the same MD5.
    public var alreadyOnIA: [String] = []
    /// File bytes uploaded in this run (parts uploaded earlier not counted).
    public var bytesUploaded: Int64 = 0
    /// Retries of failed requests and SlowDown waits in this run.
    public var retries = 0
    /// Time spent waiting for IA to get under its limit.
    public var slowDownWait: Duration = .zero
    /// Things the user should know that did not stop the upload (no `.meta`, metadata API unreachable…).
    public var warnings: [String] = []
    /// In a dry run: every request that would be sent (method, URL, headers with the secret masked, body size).
    public var plannedRequests: [String] = []
    /// The check against the metadata API after the upload; nil in a dry run or with `verify` off.
    public var verification: RemoteVerification?

    public init(identifier: String) {
        self.identifier = identifier
    }

    /// Files not yet listed by IA (or listed with another MD5) when the verification gave up waiting.
    public var notYetVisible: Int {
        guard let verification else { return 0 }
        return verification.pending.count + verification.mismatched.count
    }
}
