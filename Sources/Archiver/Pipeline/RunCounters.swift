import Foundation
import Synchronization

/// Live numbers of one user's run, updated from many tasks and read by the progress line.
public final class RunCounters: Sendable {
    public let listed = Atomic<Int>(0)
    public let alreadyDone = Atomic<Int>(0)
    public let done = Atomic<Int>(0)
    public let failed = Atomic<Int>(0)
    public let unavailable = Atomic<Int>(0)
    public let refused = Atomic<Int>(0)
    public let bytesDownloaded = Atomic<Int>(0)
    public let bytesWritten = Atomic<Int>(0)
    public let listingComplete = Atomic<Bool>(false)
    private let stageName = Mutex("starting")
    public let started = Date()

    public init() {}

    public var stage: String {
        get { stageName.withLock { $0 } }
        set { stageName.withLock { $0 = newValue } }
    }

    /// Images finished in any way (done now, done before, failed, unavailable).
    public var finished: Int {
        alreadyDone.load(ordering: .relaxed) + done.load(ordering: .relaxed)
            + failed.load(ordering: .relaxed) + unavailable.load(ordering: .relaxed)
    }
}
