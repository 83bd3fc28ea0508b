import Logging

/// The transfers and encoder places that every user of a batch shares: one adaptive limit on transfers in flight
/// (so several users together use the network as one user would, never N times over), and one bound on images
/// waiting for or in the encoder.
///
/// Users take transfer slots one at a time from a FIFO queue (each user's scheduler waits for one slot before it
/// starts the next download), so slots go round the waiting users in turn: a user with 100,000 pending images
/// does not hold back one with five.
final class TransferBudget: Sendable {
    /// Transfers in flight (raised by `tuner` when the run has no `--concurrency`).
    let netSlots: AsyncSemaphore
    /// Images encoding or waiting for an encoder thread.
    let cpuSlots: AsyncSemaphore
    let tuner: ConcurrencyTuner?
    /// Finished images one user may have waiting for its disk thread; beyond that its encoder waits (memory stays
    /// bounded). The 32 places are divided among the users running at once, at least 4 each.
    let writeQueue: Int

    /// Transfers in flight at the start when `--concurrency` is not given; the tuner raises it up to the maximum.
    static let initialConcurrency = 16
    static let maximumConcurrency = 256

    /// - Parameters:
    ///   - fixed: `--concurrency`, which turns the tuner off; nil tunes from ``initialConcurrency``.
    ///   - ceiling: `--max-workers`, the most the tuner may reach (``maximumConcurrency`` when nil).
    ///   - jobs: users run at once.
    init(fixed: Int?, ceiling: Int? = nil, jobs: Int, cpu: CPUWorkerPool, logger: Logger) {
        writeQueue = max(4, 32 / max(1, jobs))
        let maximum = ceiling ?? Self.maximumConcurrency
        let netSlots = AsyncSemaphore(limit: fixed ?? min(Self.initialConcurrency, maximum))
        self.netSlots = netSlots
        cpuSlots = AsyncSemaphore(limit: cpu.threadCount * 2)
        tuner =
            fixed != nil
            ? nil
            : ConcurrencyTuner(
                slots: netSlots, maximum: maximum,
                // Images queue for an encoder thread: more transfers would only wait. (Images waiting for the disk
                // do not count: a commit's fsync stalls a disk thread for a moment without bounding throughput.)
                cpuBound: { cpu.load > cpu.threadCount },
                onChange: { logger.debug("\($0) transfers in flight") })
    }
}
