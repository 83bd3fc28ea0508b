import Synchronization

/// One request the sandbox received, as the server saw it.
public struct LoggedRequest: Sendable {
    public enum Origin: String, Sendable {
        case api
        case cdn
    }

    public let origin: Origin
    public let method: String
    /// The request target as sent: path and query.
    public let target: String
    public let path: String
    public let query: [(name: String, value: String)]
    public let headers: [(name: String, value: String)]

    /// The first query value named `name`.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// The first header named `name` (ASCII case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// The most recent requests (10,000 to 20,000 of them), for tests to inspect what a client really sent.
final class SandboxRequestLog: Sendable {
    static let capacity = 20_000
    private let entries = Mutex<[LoggedRequest]>([])

    func append(_ entry: LoggedRequest) {
        entries.withLock { list in
            // Dropping the older half at once keeps appends O(1) on average in long benchmark runs.
            if list.count >= Self.capacity { list.removeFirst(Self.capacity / 2) }
            list.append(entry)
        }
    }

    func all() -> [LoggedRequest] {
        entries.withLock { $0 }
    }

    func clear() {
        entries.withLock { $0.removeAll() }
    }
}
