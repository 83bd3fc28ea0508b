import CMalloc
import Foundation
import HTTPClientKit
import Logging
import Mapillary

/// What every job of one process shares: the HTTP loop, the CPU pool, the console and the log, and the gate every
/// Mapillary API request passes (the token's first check, the rate-limit pause).
public final class RunEnvironment: Sendable {
    public let http: HTTPClient
    public let cpu: CPUWorkerPool
    public let hub: LogHub
    public let logger: Logger
    public let mapillaryGate = APIGate()

    public init(
        console: Console = Console(), debug: Bool = false, quiet: Bool = false,
        cpuThreads: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        Self.limitMallocArenas
        Self.raiseOpenFileLimit
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

    /// Several users at once each keep up to 64 tars, a state database and a log file open beside up to 512
    /// connections: more than the usual soft limit of 1,024 descriptors. The soft limit goes up to the hard one
    /// (what `ulimit -Hn` shows), once per process.
    private static let raiseOpenFileLimit: Void = {
        var limits = rlimit()
        #if os(Linux)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limits) == 0, limits.rlim_cur < limits.rlim_max else { return }
        limits.rlim_cur = limits.rlim_max
        // A refusal leaves the soft limit as it was; the tars' LRU then closes files sooner.
        _ = setrlimit(resource, &limits)
    }()

    public func shutdown() {
        http.shutdown()
        cpu.shutdown()
    }
}
