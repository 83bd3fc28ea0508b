/// A failure of the InternetArchive module: `description` is one plain sentence naming the thing and the fix.
/// Never holds a secret key.
public struct InternetArchiveError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; new codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// No usable keys: missing, half given, or a config file without them.
        public static let credentials = Code("credentials")
        /// The item folder's name is not a valid IA identifier, or IA refused it.
        public static let invalidIdentifier = Code("invalidIdentifier")
        /// The item's `.meta` is malformed or holds a key IA cannot take.
        public static let badMetadata = Code("badMetadata")
        /// The item folder or one of its files cannot be read, or a file name cannot be uploaded.
        public static let badItem = Code("badItem")
        /// A file changed while it was being uploaded.
        public static let fileChanged = Code("fileChanged")
        /// The item's upload state database failed, or its folder `.mapillary-archiver` cannot be written.
        public static let state = Code("state")
        /// A file or metadata value the upload would publish holds a secret (the IA secret key, the Mapillary token).
        public static let secretInItem = Code("secretInItem")
        /// Another process is working on the item (its `.mapillary-archiver/lock` is held).
        public static let itemBusy = Code("itemBusy")
        /// IA does not know the access key (403 InvalidAccessKeyId).
        public static let accessKeyRejected = Code("accessKeyRejected")
        /// IA refused access (403 AccessDenied): someone else's item, or over the size limit.
        public static let accessDenied = Code("accessDenied")
        /// IA flagged the upload as spam (a 503 that must not be retried).
        public static let spam = Code("spam")
        /// IA answered 409 Conflict.
        public static let conflict = Code("conflict")
        /// IA received bytes that do not match their Content-MD5, even after a re-read.
        public static let badDigest = Code("badDigest")
        /// A multipart upload IA no longer knows (404 NoSuchUpload).
        public static let noSuchUpload = Code("noSuchUpload")
        /// Any other refusal (4xx) from IA.
        public static let rejected = Code("rejected")
        /// IA stayed over its limit (SlowDown) longer than the allowed wait.
        public static let overloaded = Code("overloaded")
        /// IA kept failing (5xx) after every retry.
        public static let serverFailed = Code("serverFailed")
        /// The network kept failing (resets, timeouts, refused connections) after every retry.
        public static let network = Code("network")
        /// `--s3-url` or `--archive-url` is not an http(s) URL.
        public static let invalidEndpoint = Code("invalidEndpoint")
        /// An archive.org answer (metadata, scrape) could not be understood.
        public static let badAnswer = Code("badAnswer")
        /// The task was cancelled; everything finished so far is kept for the next run.
        public static let cancelled = Code("cancelled")
        /// The caller withdrew its permission to write the item (``UploadOptions/mayWrite``); nothing more was sent.
        public static let withdrawn = Code("withdrawn")
    }

    public let code: Code
    public let description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    /// True when running the same command again later may succeed without any change by the user.
    public var isTransient: Bool {
        [.overloaded, .serverFailed, .network, .cancelled].contains(code)
    }
}
