import Foundation
import Synchronization

/// A one-way latch: handlers on server threads block on it until the test opens it (or a limit passes).
final class Gate: Sendable {
    private let opened = Mutex(false)

    func open() {
        opened.withLock { $0 = true }
    }

    var isOpen: Bool { opened.withLock { $0 } }

    /// Blocks the calling (server) thread until opened; false when `limit` passed first. The limit only keeps a
    /// server thread from waiting forever when a test dies: with the whole suite on 2 cores (and a browser in
    /// CLITests), a test task can wait many seconds for a thread, and a short limit answered for it.
    @discardableResult
    func wait(limit: Duration = .seconds(120)) -> Bool {
        let deadline = ContinuousClock.now + limit
        while !isOpen {
            if ContinuousClock.now >= deadline { return false }
            usleep(2_000)
        }
        return true
    }
}

/// A value shared between server threads and the test.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    init(_ initial: Value) {
        value = Mutex(initial)
    }

    var current: Value { value.withLock { $0 } }

    func update(_ change: (inout Value) -> Void) {
        value.withLock { change(&$0) }
    }
}

/// Waits (without blocking the test's thread) until `condition` holds or `limit` passes.
/// The limit is generous on purpose: with the whole suite running on 2 cores, a task can wait many seconds for
/// a thread; a short limit would report a slow machine as a broken feature.
func eventually(limit: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        if ContinuousClock.now >= deadline { return condition() }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return true
}

/// Deterministic pseudo-random bytes (xorshift), so bodies are not trivially compressible or repetitive.
func patternBytes(count: Int, seed: UInt64 = 0x9E3779B97F4A7C15) -> [UInt8] {
    var state = seed | 1
    var out = [UInt8](repeating: 0, count: count)
    out.withUnsafeMutableBytes { raw in
        var i = 0
        while i < count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            var word = state
            let n = min(8, count - i)
            withUnsafeBytes(of: &word) {
                raw.baseAddress!.advanced(by: i).copyMemory(from: $0.baseAddress!, byteCount: n)
            }
            i += n
        }
    }
    return out
}
