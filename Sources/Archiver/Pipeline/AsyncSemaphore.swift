import Synchronization

/// Counts permits for async tasks: `acquire()` suspends while none are free. The limit can change while in use
/// (adaptive concurrency); lowering it lets running holders finish and admits nobody new until below the limit.
public final class AsyncSemaphore: Sendable {
    private struct State: ~Copyable {
        var limit: Int
        var inUse = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    public init(limit: Int) {
        state = Mutex(State(limit: max(1, limit)))
    }

    public var limit: Int { state.withLock { $0.limit } }
    public var inUse: Int { state.withLock { $0.inUse } }

    public func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { s -> Bool in
                if s.inUse < s.limit && s.waiters.isEmpty {
                    s.inUse += 1
                    return true
                }
                s.waiters.append(continuation)
                return false
            }
            if admitted { continuation.resume() }
        }
    }

    public func release() {
        let wake = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.inUse -= 1
            return Self.admit(&s)
        }
        wake.forEach { $0.resume() }
    }

    /// Changes the number of permits.
    public func setLimit(_ newLimit: Int) {
        let wake = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.limit = max(1, newLimit)
            return Self.admit(&s)
        }
        wake.forEach { $0.resume() }
    }

    private static func admit(_ s: inout State) -> [CheckedContinuation<Void, Never>] {
        var wake: [CheckedContinuation<Void, Never>] = []
        while s.inUse < s.limit && !s.waiters.isEmpty {
            s.inUse += 1
            wake.append(s.waiters.removeFirst())
        }
        return wake
    }
}
