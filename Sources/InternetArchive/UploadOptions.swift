import HTTPClient

/// How ``ItemUploader`` uploads one item. The defaults suit IA; tests shrink sizes and waits.
public struct UploadOptions: Sendable {
    /// Queue IA's derive task after the item's last file (`x-archive-queue-derive: 1` on that file only).
    public var derive = true
    /// Describe every request (secret masked) in ``UploadReport/plannedRequests`` and send nothing.
    public var dryRun = false
    /// Files larger than this go up in parts.
    public var multipartThreshold: Int64 = 256 << 20
    /// Size of each part but the last (raised for a file that would need more than 10,000 parts).
    public var partSize: Int64 = 64 << 20
    /// Ask the metadata API first and skip files IA already holds with the same MD5.
    public var checkRemote = true
    /// How long the journal's word that a file was uploaded outweighs IA not listing it: IA lists a file only
    /// once its ingest task has run, sometimes hours later. A file IA still does not list after this is sent
    /// again (IA lost it, or its ingest failed). Only applies when the metadata API could be read.
    public var ingestGrace: Duration = .seconds(6 * 3600)
    /// Ignore the journal's finished files for this run: send every file IA does not list with the local MD5.
    public var resend = false
    /// After the last file, wait for the metadata API to list every file with its local MD5.
    public var verify = true
    /// Longest wait for that listing; files not listed by then are reported as pending.
    public var verifyTimeout: Duration = .seconds(600)
    /// First pause between metadata polls; it grows by half each time up to ``verifyMaxInterval``.
    public var verifyInterval: Duration = .seconds(2)
    public var verifyMaxInterval: Duration = .seconds(30)
    /// Retries of resets, timeouts and 5xx answers (other than SlowDown) for each request.
    public var retry = RetryPolicy(maxAttempts: 10, baseDelay: .seconds(1), maxDelay: .seconds(120))
    /// First pause after a SlowDown before asking `check_limit`; it doubles up to ``slowDownMaxDelay``.
    public var slowDownInitialDelay: Duration = .seconds(10)
    public var slowDownMaxDelay: Duration = .seconds(300)
    /// Longest time one request may spend waiting for IA to get under its limit before the item fails.
    public var slowDownMaxWait: Duration = .seconds(6 * 3600)
    /// A transfer with no byte moving for this long (also while IA thinks after the body) is retried.
    public var stallTimeout: Duration = .seconds(120)
    /// Asked before every request that changes the item on IA (each PUT, each part, a multipart upload's start and
    /// completion): false stops the upload with `.withdrawn` before that request is sent. A campaign worker passes
    /// its lease check, so that a worker whose job was taken over never writes to the item. Nil: always allowed.
    public var mayWrite: (@Sendable () async -> Bool)?

    public init() {}

    /// Throws `.badItem` for sizes or waits that cannot work.
    func validate() throws {
        func bad(_ sentence: String) -> InternetArchiveError { InternetArchiveError(.badItem, sentence) }
        guard partSize >= 1 else { throw bad("the part size \(partSize) is not positive; give at least 1 byte") }
        guard multipartThreshold >= 0 else { throw bad("the multipart threshold \(multipartThreshold) is negative") }
        guard retry.maxAttempts >= 1 else { throw bad("the retry policy allows no attempt; allow at least one") }
        guard verifyInterval > .zero, verifyMaxInterval > .zero, slowDownInitialDelay >= .zero,
              slowDownMaxDelay >= .zero, verifyTimeout >= .zero, slowDownMaxWait >= .zero,
              ingestGrace >= .zero, stallTimeout > .zero else {
            throw bad("an upload wait or interval is negative or zero; give positive durations")
        }
    }
}
