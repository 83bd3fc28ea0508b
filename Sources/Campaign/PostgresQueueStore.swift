import Foundation
import Synchronization

/// The queue in a PostgreSQL database, for workers on several machines. Claims lock their row with
/// `FOR UPDATE SKIP LOCKED`, and every statement is parameterised.
///
/// A connection that breaks mid-run (the server restarted, the network was cut) is made again with a growing
/// pause, and the transaction runs again, for up to ``QueuePolicy/reconnectFor``; then the call fails with
/// `connectionLost` and the caller decides whether to keep trying.
final class PostgresQueueStore: QueueStore {
    let displayName: String
    private let connection: Mutex<PostgresConnection>
    private let reconnectFor: Duration

    /// Connects and brings the schema up to date. Fails at once (no retry) when the server cannot be reached.
    init(url: String, policy: QueuePolicy) throws {
        displayName = QueueLocation.mask(url)
        reconnectFor = policy.reconnectFor
        let connection = try PostgresConnection(url: url)
        try Self.migrate(connection)
        self.connection = Mutex(connection)
    }

    func transaction<T: Sendable>(_ body: (QueueSession) throws -> T) throws -> T {
        try withConnection { connection in
            try connection.execute("BEGIN")
            do {
                let result = try body(Session(connection: connection))
                try connection.execute("COMMIT")
                return result
            } catch {
                if !connection.isBroken { try? connection.execute("ROLLBACK") }
                throw error
            }
        }
    }

    /// One round trip: the statement commits on its own.
    func statement(_ sql: String, _ parameters: [QueueValue]) throws -> [QueueRow] {
        try withConnection { try Session(connection: $0).rows(sql, parameters) }
    }

    /// Runs `work`; after a broken connection, connects again and runs it again (at once, then after a pause
    /// that doubles up to 5 s) until ``QueuePolicy/reconnectFor`` has passed.
    private func withConnection<T: Sendable>(_ work: (PostgresConnection) throws -> T) throws -> T {
        try connection.withLock { connection in
            let clock = ContinuousClock()
            let deadline = clock.now + reconnectFor
            var pause = Duration.zero
            while true {
                do {
                    if connection.isBroken { try connection.reconnect() }
                    return try work(connection)
                } catch let failure as PostgresFailure {
                    guard failure.kind != .fatal, clock.now + pause < deadline else { throw failure.error }
                    Thread.sleep(forTimeInterval: pause.seconds)
                    pause = pause == .zero ? .milliseconds(200) : min(pause * 2, .seconds(5))
                }
            }
        }
    }

    func close() {
        connection.withLock { $0.close() }
    }

    /// Applies the numbered schema steps once, under an advisory lock so that workers starting together
    /// do not race; refuses a schema newer than this tool knows.
    private static func migrate(_ connection: PostgresConnection) throws {
        let steps = QueueSchema.steps(for: .postgres)
        do {
            try connection.execute(
                """
                BEGIN;
                SELECT pg_advisory_xact_lock(7390512016);
                CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)
                """)
            let current =
                try connection.rows("SELECT version FROM schema_versions WHERE component = $1", [QueueSchema.component])
                .first?.int(0) ?? 0
            if current > steps.count {
                throw QueueSchema.newerSchema(connection.displayName, version: current, known: steps.count)
            }
            for step in steps.dropFirst(current) { try connection.execute(step) }
            try connection.rows(
                "INSERT INTO schema_versions (component, version) VALUES ($1, $2) ON CONFLICT (component) DO UPDATE SET version = excluded.version",
                [QueueSchema.component, String(max(current, steps.count))])
            try connection.execute("COMMIT")
        } catch {
            if !connection.isBroken { try? connection.execute("ROLLBACK") }
            throw (error as? PostgresFailure)?.error ?? error
        }
    }

    private struct Session: QueueSession {
        let connection: PostgresConnection

        func rows(_ sql: String, _ parameters: [QueueValue]) throws -> [QueueRow] {
            try connection.rows(
                QueueDialect.postgres.spell(sql),
                parameters.map {
                    switch $0 {
                    case .null: return nil
                    case .integer(let value): return String(value)
                    case .text(let value): return value
                    }
                })
        }
    }
}
