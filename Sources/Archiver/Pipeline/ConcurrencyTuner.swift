import Foundation

/// Raises the number of transfers in flight while download throughput keeps growing, and steps back when
/// a raise did not pay off (hill climbing). It never raises while the CPU stage is the bottleneck: more
/// transfers would only queue behind the encoder.
final class ConcurrencyTuner: Sendable {
    let slots: AsyncSemaphore
    let minimum: Int
    let maximum: Int
    let interval: Duration

    init(slots: AsyncSemaphore, minimum: Int = 4, maximum: Int = 256, interval: Duration = .seconds(2)) {
        self.slots = slots
        self.minimum = minimum
        self.maximum = maximum
        self.interval = interval
    }

    /// Runs until cancelled. `bytes` reads the total bytes downloaded so far; `cpuBound` says whether
    /// downloaded images are waiting for the encoder.
    func run(bytes: @escaping @Sendable () -> Int, cpuBound: @escaping @Sendable () -> Bool,
             onChange: @escaping @Sendable (Int) -> Void) async {
        var lastBytes = bytes()
        var lastTime = ContinuousClock.now
        var bestRate = 0.0
        var previousLimit = slots.limit
        var justRaised = false
        var holdRounds = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let now = ContinuousClock.now
            let total = bytes()
            let seconds = Double((now - lastTime).components.seconds) + Double((now - lastTime).components.attoseconds) / 1e18
            let rate = seconds > 0 ? Double(total - lastBytes) / seconds : 0
            lastBytes = total
            lastTime = now
            let limit = slots.limit
            if justRaised {
                justRaised = false
                if rate < bestRate * 1.05 {
                    // The raise did not pay off: go back and stay there for now.
                    slots.setLimit(previousLimit)
                    onChange(previousLimit)
                    bestRate = max(bestRate, rate)
                    holdRounds = 5
                    continue
                }
            }
            bestRate = max(bestRate, rate)
            if holdRounds > 0 {
                holdRounds -= 1
                continue
            }
            let saturated = slots.inUse >= limit
            if saturated && !cpuBound() && limit < maximum && rate > 0 {
                previousLimit = limit
                let raised = min(maximum, max(limit + 4, limit * 3 / 2))
                slots.setLimit(raised)
                onChange(raised)
                justRaised = true
            }
        }
    }
}
