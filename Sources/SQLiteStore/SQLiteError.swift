/// A failed SQLite call: the statement's purpose, SQLite's result code and message.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let path: String

    public init(code: Int32, message: String, path: String) {
        self.code = code
        self.message = message
        self.path = path
    }

    /// SQLITE_FULL: the disk is full.
    public var isDiskFull: Bool { code & 0xff == 13 }
    /// SQLITE_CORRUPT / SQLITE_NOTADB: the state file is damaged.
    public var isCorrupt: Bool { code & 0xff == 11 || code & 0xff == 26 }

    public var description: String {
        if isDiskFull {
            return
                "the state database \(path) could not be written because the disk is full; free some space and run the same command again"
        }
        if isCorrupt {
            return "the state database \(path) is damaged (\(message)); move it aside to start that item over"
        }
        return "the state database \(path) failed: \(message)"
    }
}
