import Synchronization

/// The most recent requests (bounded).
final class IARequestLog: Sendable {
    static let capacity = 20_000
    private let entries = Mutex<[IARequestRecord]>([])

    func append(_ entry: IARequestRecord) {
        entries.withLock { list in
            if list.count >= Self.capacity { list.removeFirst(list.count - Self.capacity + 1) }
            list.append(entry)
        }
    }

    func all() -> [IARequestRecord] { entries.withLock { $0 } }

    func clear() { entries.withLock { $0.removeAll() } }
}
