import CMalloc
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
        Self.limitMallocArenas
        // As many connections as `--concurrency` allows: a lower cap would queue transfers inside libcurl,
        // where neither the flag nor the tuner can see them.
        http = HTTPClient(maxTotalConnections: 512)
        cpu = CPUWorkerPool(threadCount: cpuThreads)
        hub = LogHub(console: console, debug: debug, quiet: quiet)
        logger = hub.logger("mapillary-archiver")
    }

    public var console: Console { hub.console }

    /// glibc gives each thread that allocates its own heap ("arena", up to 8 per core); images of every size
    /// pass through the CPU, disk, curl and task threads, and each arena keeps its freed holes, so peak memory
    /// crept up with the length of a run (+20 % from 1,000 to 10,000 images). One arena per core keeps it flat.
    /// Set once per process, before the pools start their threads.
    private static let limitMallocArenas: Void = {
        // A refusal only leaves glibc's default in place.
        _ = cmalloc_limit_arenas(Int32(max(2, ProcessInfo.processInfo.activeProcessorCount)))
    }()

    public func shutdown() {
        http.shutdown()
        cpu.shutdown()
    }
}
