import Foundation
import HTTPClient
import Logging

/// What every job of one process shares: the HTTP loop, the CPU pool, the console and the log.
public final class RunEnvironment: Sendable {
    public let http: HTTPClient
    public let cpu: CPUWorkerPool
    public let hub: LogHub
    public let logger: Logger

    public init(console: Console = Console(), debug: Bool = false, quiet: Bool = false,
                cpuThreads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        // As many connections as `--concurrency` allows: a lower cap would queue transfers inside libcurl,
        // where neither the flag nor the tuner can see them.
        http = HTTPClient(maxTotalConnections: 512)
        cpu = CPUWorkerPool(threadCount: cpuThreads)
        hub = LogHub(console: console, debug: debug, quiet: quiet)
        logger = hub.logger("mapillary-archiver")
    }

    public var console: Console { hub.console }

    public func shutdown() {
        http.shutdown()
        cpu.shutdown()
    }
}
