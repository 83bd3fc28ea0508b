import Essentials

/// A failure of the Packaging module: `description` is one plain sentence naming the thing and the fix.
public struct PackagingError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; new codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Writing a tar's file failed under libarchive (see ``PackagingError/fileError``).
        public static let io = Code("io")
        /// The disk or quota is full while a tar is written.
        public static let diskFull = Code("diskFull")
        /// A tar member or tar name is not ASCII-safe, relative and short enough.
        public static let unsafeName = Code("unsafeName")
        /// The bytes written for a member differ from its declared size.
        public static let sizeMismatch = Code("sizeMismatch")
        /// A tar file is shorter than the length the caller committed.
        public static let shortTar = Code("shortTar")
        /// libarchive refused an operation.
        public static let archive = Code("archive")
        /// The object was used after it was closed, or a name is unknown to it.
        public static let misuse = Code("misuse")
        /// A `.meta` folder, template folder or metadata value is malformed.
        public static let badMetadata = Code("badMetadata")
        /// A template names a placeholder that does not exist.
        public static let badTemplate = Code("badTemplate")
        /// An IA identifier is not valid.
        public static let badIdentifier = Code("badIdentifier")
        /// The folder to package cannot be packaged as it is.
        public static let badInput = Code("badInput")
        /// The output item already exists.
        public static let outputExists = Code("outputExists")
        /// A gzip stream is corrupt or zlib failed.
        public static let compression = Code("compression")
    }

    public let code: Code
    public let description: String
    /// The underlying file-system failure, when there is one.
    public let fileError: FileError?

    public init(_ code: Code, _ description: String, fileError: FileError? = nil) {
        self.code = code
        self.description = description
        self.fileError = fileError
    }

    /// True when the disk (or quota) is full: the user frees space and runs again.
    public var isDiskFull: Bool { code == .diskFull }

    /// A tar write that libarchive gave up on because the file refused it: the ``FileError``'s sentence (which says
    /// what to do when the disk is full). Every other failed system call of this module throws ``FileError`` itself.
    static func file(_ error: FileError) -> PackagingError {
        PackagingError(error.isDiskFull ? .diskFull : .io, error.description, fileError: error)
    }
}
