import Foundation

/// The PostgreSQL server the queue's tests use: `MAPILLARY_ARCHIVER_TEST_POSTGRES` (an administrator's URL;
/// `make test` sets it to a throwaway cluster), else a throwaway cluster started for this test process by
/// `scripts/throwaway-postgres.sh serve-for PID`, which deletes it when the process ends. Never skipped: when
/// neither works, every test that needs it fails with the reason.
public enum TestPostgres {
    public static let variable = "MAPILLARY_ARCHIVER_TEST_POSTGRES"

    /// The package folder: this file is `Tests/TestSupport/TestPostgres.swift`.
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    private static let server: Result<String, TestPostgresError> = {
        if let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty { return .success(url) }
        do {
            let result = try ExternalTool.run(root + "/scripts/throwaway-postgres.sh", ["serve-for", String(getpid())])
            let url = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            guard result.ok, url.hasPrefix("postgres://") else {
                return .failure(TestPostgresError(reason: "scripts/throwaway-postgres.sh failed: \(result.stderr)"))
            }
            return .success(url)
        } catch {
            return .failure(TestPostgresError(reason: "cannot run scripts/throwaway-postgres.sh: \(error)"))
        }
    }()

    /// The administrator's URL (database `postgres`).
    public static func adminURL() throws -> String { try server.get() }

    /// A new, empty database for one test; returns its URL.
    public static func freshDatabase() throws -> String {
        let admin = try adminURL()
        let name = "queue_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql(admin, "CREATE DATABASE \(name)")
        return database(name, of: admin)
    }

    /// `url` pointing at database `name` instead.
    public static func database(_ name: String, of url: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + name
        return components.string!
    }

    /// Runs SQL through `psql` (an independent client), failing on the first error; returns what it printed
    /// (unaligned, tuples only).
    @discardableResult
    public static func psql(_ url: String, _ sql: String) throws -> String {
        let result = try ExternalTool.run("psql", [url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
        guard result.ok else { throw TestPostgresError(reason: "psql failed on \(sql): \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

public struct TestPostgresError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String {
        "the PostgreSQL tests need a server: \(reason) (install postgresql with `make setup-test`, or set \(TestPostgres.variable) to an administrator's postgres:// URL)"
    }
}
