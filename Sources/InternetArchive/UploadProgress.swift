/// Where an upload stands, for a status line. Delivered often (on the HTTP thread while bytes move): keep the
/// handler cheap.
public struct UploadProgress: Sendable {
    public enum Stage: String, Sendable {
        /// Reading a file to compute its MD5.
        case hashing
        /// Sending a file (or waiting to resend it; see ``note``).
        case uploading
        /// Waiting for the metadata API to list the uploaded files.
        case verifying
    }

    public let identifier: String
    public let stage: Stage
    /// The file's key, when the stage is about one file.
    public let file: String?
    /// Bytes of ``file`` hashed or sent so far, and its size.
    public let fileBytes: Int64
    public let fileSize: Int64
    /// Body bytes sent for the item in this run (a resent request counts from its start again), and the bytes
    /// this run has to send.
    public let itemBytesSent: Int64
    public let itemBytesTotal: Int64
    /// Retries and SlowDown waits so far in this run.
    public let retries: Int
    /// A wait or retry in words, e.g. "IA is over its limit, waiting 30 s"; nil while things just move.
    public let note: String?

    public init(
        identifier: String, stage: Stage, file: String?, fileBytes: Int64, fileSize: Int64,
        itemBytesSent: Int64, itemBytesTotal: Int64, retries: Int, note: String?
    ) {
        self.identifier = identifier
        self.stage = stage
        self.file = file
        self.fileBytes = fileBytes
        self.fileSize = fileSize
        self.itemBytesSent = itemBytesSent
        self.itemBytesTotal = itemBytesTotal
        self.retries = retries
        self.note = note
    }
}
