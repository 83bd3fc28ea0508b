@testable import Archiver
import Synchronization
import Testing

struct CPUWorkerPoolTests {
    /// An image captured by a job must be freed when the job is done, not kept until the queue is compacted:
    /// the pool once held the last thousand downloaded images this way (hundreds of MB for originals).
    @Test func finishedJobsFreeWhatTheyCaptured() async throws {
        let pool = CPUWorkerPool(threadCount: 2)
        defer { pool.shutdown() }
        let watcher = Watcher()
        for _ in 0..<8 {
            let image = Image(watcher)
            let count = try await pool.run { image.bytes.count }
            #expect(count == 1 << 20)
        }
        // The worker thread drops its last reference just after resuming the caller.
        for _ in 0..<200 where watcher.alive > 0 {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(watcher.alive == 0)
    }

    @Test func runsJobsOnItsThreadsAndReturnsErrors() async throws {
        let pool = CPUWorkerPool(threadCount: 2)
        defer { pool.shutdown() }
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await pool.run { throw Refused() } }
        let sums = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 1...50 { group.addTask { try await pool.run { (1...n).reduce(0, +) } } }
            return try await group.reduce(0, +)
        }
        #expect(sums == (1...50).map { $0 * ($0 + 1) / 2 }.reduce(0, +))
    }

    @Test func aJobSubmittedAfterShutdownFailsInsteadOfWaitingForever() async throws {
        let pool = CPUWorkerPool(threadCount: 1)
        #expect(try await pool.run { 7 } == 7)
        pool.shutdown()
        await #expect(throws: CancellationError.self) { try await pool.run { 8 } }
    }
}

/// Counts live ``Image``s.
private final class Watcher: Sendable {
    private let count = Mutex(0)
    var alive: Int { count.withLock { $0 } }
    func add(_ delta: Int) { count.withLock { $0 += delta } }
}

/// A downloaded image's worth of bytes that reports when it is freed.
private final class Image: Sendable {
    let bytes = [UInt8](repeating: 7, count: 1 << 20)
    let watcher: Watcher
    init(_ watcher: Watcher) {
        self.watcher = watcher
        watcher.add(1)
    }
    deinit { watcher.add(-1) }
}
