import Campaign
import Essentials

/// How `queue serve` serves the campaign page.
public struct CampaignPageOptions: Sendable {
    /// The address to listen on: loopback unless the operator chooses to expose the page.
    public var listen = "127.0.0.1"
    /// 0 picks a free port.
    public var port = 8080
    /// The archive.org root the finished items link to (the sandbox's in a rehearsal), without a trailing slash.
    public var archiveURL = "https://archive.org"
    /// How often the page asks for new numbers.
    public var refreshSeconds = 5
    /// How long one reading of the queue serves every request (many open pages make one query a second at most).
    public var snapshotLifetime: Duration = .seconds(1)
    /// The throughput plot: the last 12 hours in slots of 15 minutes.
    public var history = ThroughputHistory.Window(span: .seconds(12 * 3600), slot: .seconds(900))
    public var failures = 10
    public var finished = 15

    public init() {}

    /// True for an address only this machine can reach (127.0.0.0/8, ::1, localhost).
    public static func isLoopback(_ address: String) -> Bool {
        let lowered = address.lowercased()
        if lowered == "localhost" || lowered == "::1" { return true }
        var ipv4 = in_addr()
        return inet_pton(AF_INET, lowered, &ipv4) == 1 && UInt32(bigEndian: ipv4.s_addr) >> 24 == 127
    }

    /// True for what `--listen` takes: a numeric IPv4 or IPv6 address, or localhost.
    public static func isListenAddress(_ address: String) -> Bool {
        var ipv4 = in_addr(), ipv6 = in6_addr()
        return address.lowercased() == "localhost" || inet_pton(AF_INET, address, &ipv4) == 1
            || inet_pton(AF_INET6, address, &ipv6) == 1
    }
}
