import Foundation
import Synchronization

/// A fixed set of OS threads (one per core by default) for CPU-heavy work such as EXIF + WebP encoding.
///
/// Work submitted with ``run(_:)`` never occupies Swift's cooperative pool while it computes, so network and
/// disk tasks keep running; at most `threadCount` jobs compute at once, the rest wait in FIFO order.
public final class CPUWorkerPool: Sendable {
    private struct Queue: ~Copyable {
        /// Jobs from `head` on are waiting; taken ones are set to nil at once, so the data a finished job
        /// captured (a whole image) is freed with it rather than when the array is next compacted.
        var jobs: [(@Sendable () -> Void)?] = []
        var head = 0
        var stopping = false
    }

    public let threadCount: Int
    private let queue = Mutex(Queue())
    private let condition = NSCondition()
    private let busy = Atomic<Int>(0)

    public init(threadCount: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.threadCount = max(1, threadCount)
        for index in 0..<self.threadCount {
            let thread = Thread { [self] in self.workLoop() }
            thread.name = "cpu-worker-\(index)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Jobs waiting plus jobs computing.
    public var load: Int {
        queue.withLock { $0.jobs.count - $0.head } + busy.load(ordering: .relaxed)
    }

    /// Runs `work` on one of the pool's threads and returns its result.
    @discardableResult
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let accepted = enqueue {
                do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
            }
            // A job submitted after `shutdown` would never run: its caller would wait forever.
            if !accepted { continuation.resume(throwing: CancellationError()) }
        }
    }

    /// Stops the threads once the queued jobs are done. Later submissions fail with `CancellationError`.
    public func shutdown() {
        queue.withLock { $0.stopping = true }
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    /// Queues `job`; false (and not queued) once the pool is stopping.
    private func enqueue(_ job: @escaping @Sendable () -> Void) -> Bool {
        let accepted = queue.withLock { q -> Bool in
            guard !q.stopping else { return false }
            q.jobs.append(job)
            return true
        }
        guard accepted else { return false }
        condition.lock()
        condition.signal()
        condition.unlock()
        return true
    }

    private func next() -> (@Sendable () -> Void)? {
        queue.withLock { q in
            guard q.head < q.jobs.count else { return nil }
            let job = q.jobs[q.head]
            q.jobs[q.head] = nil
            q.head += 1
            if q.head == q.jobs.count {
                q.jobs.removeAll(keepingCapacity: true)
                q.head = 0
            } else if q.head > 1024 && q.head * 2 > q.jobs.count {
                q.jobs.removeFirst(q.head)
                q.head = 0
            }
            return job
        }
    }

    private func workLoop() {
        while true {
            if let job = next() {
                busy.add(1, ordering: .relaxed)
                job()
                busy.subtract(1, ordering: .relaxed)
                continue
            }
            condition.lock()
            let stopping = queue.withLock { $0.stopping && $0.head >= $0.jobs.count }
            if stopping {
                condition.unlock()
                return
            }
            if queue.withLock({ $0.head >= $0.jobs.count }) {
                _ = condition.wait(until: Date(timeIntervalSinceNow: 1))
            }
            condition.unlock()
        }
    }
}
