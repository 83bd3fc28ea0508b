import Essentials
import Foundation
import Synchronization

/// A running MD5 fed on its own thread, in submission order, so hashing overlaps file I/O.
/// It also lends out read buffers that come back to it once hashed, so bulk reads reuse memory.
///
/// Used by one owner thread (the ``TarAppender`` that made it) plus its worker thread.
/// All shared state is guarded by `condition`; `md5` and `checkpoint` are touched by the worker
/// only while it holds an item it dequeued, and by the owner only after ``drain()``, so the lock
/// orders every access. That rule is what makes the `@unchecked Sendable` below sound.
final class BackgroundMD5: @unchecked Sendable {
    private struct Piece {
        var bytes: [UInt8] = []
        var range: Range<Int> = 0..<0
        var pooled = false
        var isCheckpoint = false
    }

    private let condition = NSCondition()
    private var queue: [Piece] = []
    private var head = 0
    private var queuedBytes = 0
    private var busy = false
    private var stopping = false
    private var stopped = false
    private var md5: MD5
    private var checkpoint: MD5
    /// Pooled buffers handed out and not yet hashed.
    private var buffersOut = 0
    /// The most bytes waiting before ``submit(_:range:pooled:)`` blocks, bounding memory.
    private let maxQueuedBytes: Int
    private let maxBuffers: Int

    init(starting md5: MD5, maxQueuedBytes: Int = 32 << 20, maxBuffers: Int = 8) {
        self.md5 = md5
        self.checkpoint = md5
        self.maxQueuedBytes = maxQueuedBytes
        self.maxBuffers = maxBuffers
        let thread = Thread { [self] in run() }
        thread.name = "tar-md5"
        thread.start()
    }

    /// A buffer of `size` bytes to read into; submit it with `pooled: true` and it comes back here
    /// once hashed. Waits while all pooled buffers are in use.
    func takeBuffer(size: Int) -> [UInt8] {
        condition.lock()
        while buffersOut >= maxBuffers { condition.wait() }
        buffersOut += 1
        condition.unlock()
        return ReadBufferPool.take(size: size)
    }

    /// Queues `bytes[range]` (the array is retained, not copied); waits while too much is queued.
    /// With `pooled`, the buffer returns to the pool after this piece (submit it last, so no
    /// queued piece still shares it).
    func submit(_ bytes: [UInt8], range: Range<Int>, pooled: Bool = false) {
        guard !range.isEmpty || pooled else { return }
        condition.lock()
        while queuedBytes > 0 && queuedBytes + range.count > maxQueuedBytes {
            condition.wait()
        }
        queue.append(Piece(bytes: bytes, range: range, pooled: pooled))
        queuedBytes += range.count
        condition.broadcast()
        condition.unlock()
    }

    /// Marks the current position: ``restoreCheckpoint()`` returns the checksum to it.
    func markCheckpoint() {
        condition.lock()
        queue.append(Piece(isCheckpoint: true))
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
            var piece = Piece()
            swap(&piece, &queue[head])  // move the bytes out, so a pooled buffer is uniquely held
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
            busy = true
            condition.unlock()
            if piece.isCheckpoint {
                checkpoint = md5
            } else {
                piece.bytes.withUnsafeBytes { md5.update(UnsafeRawBufferPointer(rebasing: $0[piece.range])) }
            }
            condition.lock()
            if piece.pooled {
                ReadBufferPool.give(&piece.bytes)
                buffersOut -= 1
            }
            busy = false
            queuedBytes -= piece.range.count
            condition.broadcast()
        }
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Read buffers shared by every appender, so bulk packaging reuses the same memory instead of
/// faulting in fresh pages for each chunk.
enum ReadBufferPool {
    private static let spare = Mutex<[[UInt8]]>([])
    private static let maxKept = 16

    /// A buffer of exactly `size` bytes (contents undefined), uniquely held by the caller.
    static func take(size: Int) -> [UInt8] {
        if let buffer = spare.withLock({ $0.popLast() }), buffer.count == size { return buffer }
        return [UInt8](repeating: 0, count: size)
    }

    /// Returns `buffer` to the pool, leaving `buffer` empty (so the pool holds the only reference).
    static func give(_ buffer: inout [UInt8]) {
        var moved: [UInt8] = []
        swap(&moved, &buffer)
        spare.withLock { kept in
            if kept.count < maxKept { kept.append(moved) }
        }
    }
}
