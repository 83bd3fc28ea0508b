// Within Essentials each file imports the C library itself (Platform.swift re-exports it to other modules only).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension DedicatedThread {
    /// Blocks the calling OS thread for `duration` (a server's connection thread pacing or delaying an answer);
    /// never call it from the cooperative pool.
    public static func sleep(_ duration: Duration) {
        guard duration > .zero else { return }
        let (seconds, atto) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(atto / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
