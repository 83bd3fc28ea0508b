/// A failure of the campaign queue: one plain sentence naming the thing and the fix. Never holds a password.
public struct CampaignError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A bad queue URL, username or option: the command line must change (exit 2).
        case usage
        /// The queue file does not exist, or is not a queue.
        case notAQueue
        /// The queue was made by a newer version of the tool.
        case newerSchema
        /// PostgreSQL cannot be reached (at start).
        case unreachable
        /// PostgreSQL refused the user, the password or the database.
        case authentication
        /// The connection to PostgreSQL broke and did not come back within the policy's reconnect time.
        case connectionLost
        /// Another process held the SQLite queue file locked for longer than the busy timeout.
        case busy
        /// The disk holding the SQLite queue file is full.
        case diskFull
        /// The job's lease was taken over (or the job removed): its holder must stop it quietly.
        case leaseLost
        /// Any other database failure.
        case database
    }

    public let code: Code
    public let description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
