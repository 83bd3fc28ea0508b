import CLibPQ
import Foundation

/// One libpq connection to the queue's PostgreSQL database, with a prepared-statement cache. Not
/// thread-safe: ``PostgresQueueStore`` holds it under a lock, so one thread uses the handle at a time.
final class PostgresConnection {
    private var handle: OpaquePointer?
    private var prepared: [String: String] = [:]
    let displayName: String
    private let secrets: [String]

    /// Connects to `url` (libpq's `postgres://` form); a ``CampaignError`` that names the server when it fails.
    init(url: String) throws {
        displayName = QueueLocation.mask(url)
        secrets = QueueLocation.passwords(in: url)
        // The URL's own settings win: libpq lets a later keyword override an earlier one, and the URL comes last.
        // Keepalives and the user timeout make a cut network fail a call in about 30 s instead of TCP's minutes.
        let settings: [(String, String)] = [
            ("connect_timeout", "10"), ("application_name", "mapillary-archiver"),
            ("keepalives_idle", "30"), ("keepalives_interval", "10"), ("keepalives_count", "3"),
            ("tcp_user_timeout", "30000"), ("dbname", url),
        ]
        handle = withCStrings(settings.map(\.0)) { keywords in
            withCStrings(settings.map(\.1)) { values in
                (keywords + [nil]).withUnsafeBufferPointer { k in
                    (values + [nil]).withUnsafeBufferPointer { v in PQconnectdbParams(k.baseAddress, v.baseAddress, 1) }
                }
            }
        }
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            let error = connectFailure().error
            PQfinish(handle)
            self.handle = nil
            throw error
        }
        do { try startSession() } catch let failure as PostgresFailure { throw failure.error }
    }

    deinit { close() }

    func close() {
        if let handle { PQfinish(handle) }
        handle = nil
        prepared.removeAll()
    }

    /// True when the connection broke (the server went away, the network was cut).
    var isBroken: Bool { handle.map { PQstatus($0) != CONNECTION_OK } ?? true }

    /// Connects again with the same settings; prepared statements are made again on first use.
    func reconnect() throws {
        guard let handle else { throw PostgresFailure(.fatal, lost("the connection is closed")) }
        prepared.removeAll()
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            let failure = connectFailure()
            if failure.error.code == .unreachable { throw PostgresFailure(.broken, lost(failure.reason)) }
            throw PostgresFailure(.fatal, failure.error)
        }
        try startSession()
    }

    /// Keeps server notices off stderr, and lets commits return before the WAL reaches the disk: a crash of
    /// the server may take back its last fraction of a second of commits, as a power loss may for SQLite
    /// (``JobQueue/claim(worker:host:)`` says why no generation is then handed out twice).
    private func startSession() throws {
        guard let handle else { return }
        clibpq_silence_notices(handle)
        try execute("SET synchronous_commit = off")
    }

    /// Runs statements without parameters or results (BEGIN, COMMIT, schema).
    func execute(_ sql: String) throws {
        guard let handle else { throw PostgresFailure(.fatal, lost("the connection is closed")) }
        PQclear(try check(PQexec(handle, sql)))
    }

    /// Runs one parameterised statement (prepared once per connection) and returns its rows as text.
    @discardableResult
    func rows(_ sql: String, _ parameters: [String?]) throws -> [QueueRow] {
        guard let handle else { throw PostgresFailure(.fatal, lost("the connection is closed")) }
        let name: String
        if let known = prepared[sql] {
            name = known
        } else {
            name = "q\(prepared.count)"
            PQclear(try check(PQprepare(handle, name, sql, 0, nil)))
            prepared[sql] = name
        }
        let result = try withCStrings(parameters) { values in
            try check(PQexecPrepared(handle, name, Int32(values.count), values, nil, nil, 0))
        }
        defer { PQclear(result) }
        let columns = PQnfields(result)
        return (0..<PQntuples(result)).map { row in
            QueueRow(
                values: (0..<columns).map { column in
                    PQgetisnull(result, row, column) != 0 ? nil : String(cString: PQgetvalue(result, row, column))
                })
        }
    }

    /// The result when the statement succeeded; otherwise a ``PostgresFailure`` saying whether to reconnect.
    private func check(_ result: OpaquePointer?) throws -> OpaquePointer {
        if let result {
            let status = PQresultStatus(result)
            if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK { return result }
        }
        let message = scrub(
            result.map { String(cString: PQresultErrorMessage($0)) } ?? handle.map {
                String(cString: PQerrorMessage($0))
            } ?? "")
        let state = result.flatMap { PQresultErrorField($0, clibpq_diag_sqlstate) }.map { String(cString: $0) } ?? ""
        PQclear(result)
        if isBroken || state.hasPrefix("08") || state.hasPrefix("57P") {
            throw PostgresFailure(.broken, lost(Self.firstLine(message)))
        }
        if state == "40001" || state == "40P01" {
            throw PostgresFailure(
                .conflict,
                CampaignError(
                    .database,
                    "the PostgreSQL queue \(displayName) kept aborting a transaction (\(Self.firstLine(message))); run the command again"
                ))
        }
        throw PostgresFailure(
            .fatal, CampaignError(.database, "the PostgreSQL queue \(displayName) failed: \(Self.firstLine(message))"))
    }

    private func lost(_ reason: String) -> CampaignError {
        CampaignError(
            .connectionLost,
            "lost the connection to the PostgreSQL queue at \(server) (\(reason)) and it did not come back; check the server and the network"
        )
    }

    /// `host:port` of the server (or its socket folder), from libpq's view of the connection.
    var server: String {
        guard let handle else { return displayName }
        let host = PQhost(handle).map { String(cString: $0) } ?? ""
        let port = PQport(handle).map { String(cString: $0) } ?? ""
        if host.isEmpty { return displayName }
        return port.isEmpty ? host : host + ":" + port
    }

    /// Why connecting failed: libpq's reason, and one sentence that names the server and never the password.
    private func connectFailure() -> (reason: String, error: CampaignError) {
        let reason = connectReason()
        return (reason, connectError(reason))
    }

    private func connectReason() -> String {
        let full = scrub(handle.map { String(cString: PQerrorMessage($0)) } ?? "out of memory")
        var reason = Self.firstLine(full)
        if let failed = reason.range(of: " failed: ") { reason = String(reason[failed.upperBound...]) }
        return reason.replacingOccurrences(of: "FATAL:  ", with: "").trimmingCharacters(in: .whitespaces)
    }

    private func connectError(_ reason: String) -> CampaignError {
        let user = handle.flatMap { PQuser($0) }.map { String(cString: $0) } ?? ""
        if reason.hasPrefix("invalid ") || reason.hasPrefix("missing ") {
            return CampaignError(
                .usage,
                "the queue URL \(displayName) is not understood by libpq (\(reason)); write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE"
            )
        }
        if reason.contains("password authentication failed") {
            return CampaignError(
                .authentication,
                "PostgreSQL at \(server) refused the password of user \(user); check the password in the queue URL (or in ~/.pgpass)"
            )
        }
        if reason.contains("no password supplied") {
            return CampaignError(
                .authentication,
                "PostgreSQL at \(server) wants a password for user \(user); put it in the queue URL (postgres://USER:PASSWORD@HOST/DATABASE) or in ~/.pgpass"
            )
        }
        if reason.contains("does not exist") || reason.contains("pg_hba.conf")
            || reason.contains("authentication failed") || reason.contains("permission denied")
        {
            return CampaignError(
                .authentication,
                "PostgreSQL at \(server) refused the connection (\(reason)); check the user and database in the queue URL, and the server's pg_hba.conf"
            )
        }
        return CampaignError(
            .unreachable,
            "cannot reach the PostgreSQL queue at \(server) (\(reason)); check that the server runs and accepts connections from this machine"
        )
    }

    /// `text` without any password of the URL (libpq does not print it, but a server message might echo it).
    private func scrub(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }

    private static func firstLine(_ text: String) -> String {
        String(text.split(whereSeparator: \.isNewline).first ?? "").trimmingCharacters(in: .whitespaces)
    }
}

/// A failed libpq call, with what the store should do about it.
struct PostgresFailure: Error {
    enum Kind {
        /// The connection broke: reconnect and run the transaction again.
        case broken
        /// A deadlock or serialization failure: run the transaction again.
        case conflict
        /// Anything else: give up with ``error``.
        case fatal
    }

    let kind: Kind
    let error: CampaignError

    init(_ kind: Kind, _ error: CampaignError) {
        self.kind = kind
        self.error = error
    }
}

/// Calls `body` with C copies of `strings` (nil stays NULL), freed afterwards.
private func withCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) throws -> R) rethrows -> R {
    let copies = strings.map { $0.flatMap { strdup($0) } }
    defer { copies.forEach { free($0) } }
    return try body(copies.map { $0.map { UnsafePointer($0) } })
}
