import Essentials
import HTTPClientKit
import Mapillary

/// Everything `discover` needs to survey an area, as the command line gave it.
public struct DiscoveryOptions: Sendable {
    public var area: DiscoveryArea
    public var token: String
    public var apiURL: String
    /// The state file (``defaultStatePath(cacheDirectory:area:apiURL:)`` unless `--state` names one).
    public var statePath: String
    /// Records asked per request. A page that comes back this full without a next link is taken as capped.
    public var pageSize: Int
    /// Pieces asked at once.
    public var concurrency: Int
    /// Back-off between retries of Mapillary's API and of IA's scrape API (tests shorten it).
    public var retry: RetryPolicy

    public init(
        area: DiscoveryArea, token: String, apiURL: String = MapillaryClient.defaultAPIBase, statePath: String,
        pageSize: Int = MapillaryClient.maximumPageSize, concurrency: Int = 8, retry: RetryPolicy = .standard
    ) {
        self.area = area
        self.token = token
        self.apiURL = apiURL
        self.statePath = statePath
        self.pageSize = pageSize
        self.concurrency = concurrency
        self.retry = retry
    }

    /// `CACHE/.discover/W,S,E,N-HASH.sqlite`: one file per area and API, so the same command finds its state
    /// again and another area or API never mixes with it. (A dot folder: `clean-up` leaves it alone.)
    public static func defaultStatePath(cacheDirectory: String, area: DiscoveryArea, apiURL: String) -> String {
        let key = MD5.hex(of: Array((area.description + "\n" + apiURL).utf8)).prefix(8)
        return cacheDirectory + "/.discover/" + area.description + "-" + key + ".sqlite"
    }
}
