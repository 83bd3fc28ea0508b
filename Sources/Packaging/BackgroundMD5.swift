import Essentials
import Foundation

/// A running MD5 fed on its own thread, in submission order, so hashing overlaps file I/O.
///
/// Used by one owner thread (the ``TarAppender`` that made it) plus its worker thread.
/// All shared state is guarded by `condition`; `md5` and `checkpoint` are touched by the worker
/// only while it holds an item it dequeued, and by the owner only after ``drain()``, so the lock
/// orders every access. That rule is what makes the `@unchecked Sendable` below sound.
final class BackgroundMD5: @unchecked Sendable {
    private enum Item {
        case bytes([UInt8], Range<Int>)
        case checkpoint
    }

    private let condition = NSCondition()
    private var queue: [Item] = []
    private var head = 0
    private var queuedBytes = 0
    private var busy = false
    private var stopping = false
    private var stopped = false
    private var md5: MD5
    private var checkpoint: MD5
    /// The most bytes waiting before ``submit(_:range:)`` blocks, bounding memory.
    private let maxQueuedBytes: Int

    init(starting md5: MD5, maxQueuedBytes: Int = 32 << 20) {
        self.md5 = md5
        self.checkpoint = md5
        self.maxQueuedBytes = maxQueuedBytes
        let thread = Thread { [self] in run() }
        thread.name = "tar-md5"
        thread.start()
    }

    /// Queues `bytes[range]` (the array is retained, not copied); waits while too much is queued.
    func submit(_ bytes: [UInt8], range: Range<Int>) {
        guard !range.isEmpty else { return }
        condition.lock()
        while queuedBytes > 0 && queuedBytes + range.count > maxQueuedBytes {
            condition.wait()
        }
        queue.append(.bytes(bytes, range))
        queuedBytes += range.count
        condition.broadcast()
        condition.unlock()
    }

    /// Marks the current position: ``restoreCheckpoint()`` returns the checksum to it.
    func markCheckpoint() {
        condition.lock()
        queue.append(.checkpoint)
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for every queued item, then returns the checksum so far.
    func drain() -> MD5 {
        condition.lock()
        defer { condition.unlock() }
        while head < queue.count || busy { condition.wait() }
        return md5
    }

    /// Waits for every queued item, then rewinds the checksum to the last checkpoint.
    func restoreCheckpoint() {
        condition.lock()
        defer { condition.unlock() }
        while head < queue.count || busy { condition.wait() }
        md5 = checkpoint
    }

    /// Finishes the queued work and ends the worker thread; returns the final running checksum.
    func stop() -> MD5 {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        return md5
    }

    private func run() {
        condition.lock()
        while true {
            while head == queue.count && !stopping { condition.wait() }
            if head == queue.count { break }
            let item = queue[head]
            queue[head] = .checkpoint  // drop the reference to the bytes early
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
            busy = true
            condition.unlock()
            var done = 0
            switch item {
            case .bytes(let bytes, let range):
                bytes.withUnsafeBytes { md5.update(UnsafeRawBufferPointer(rebasing: $0[range])) }
                done = range.count
            case .checkpoint:
                checkpoint = md5
            }
            condition.lock()
            busy = false
            queuedBytes -= done
            condition.broadcast()
        }
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
