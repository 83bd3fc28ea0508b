import Foundation

/// Where the queue lives: a SQLite file (a plain path, or `sqlite:PATH`) or a PostgreSQL database
/// (`postgres://` or `postgresql://`, libpq's URL form). Anything else with a `scheme://` is refused.
public enum QueueLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    /// The environment variable that names the queue when `--queue` is not given.
    public static let environmentVariable = "MAPILLARY_ARCHIVER_QUEUE"

    /// `--queue`, else `MAPILLARY_ARCHIVER_QUEUE`, else the default SQLite file.
    public static func resolve(_ option: String?, environment: [String: String]) throws -> QueueLocation {
        if let option { return try QueueLocation(parsing: option, environment: environment) }
        if let value = environment[environmentVariable], !value.isEmpty {
            return try QueueLocation(parsing: value, environment: environment)
        }
        return .sqlite(path: defaultPath(environment: environment))
    }

    /// `$XDG_DATA_HOME/mapillary-archiver/queue.sqlite`, else `~/.local/share/mapillary-archiver/queue.sqlite`.
    public static func defaultPath(environment: [String: String]) -> String {
        let data =
            environment["XDG_DATA_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        return data + "/mapillary-archiver/queue.sqlite"
    }

    /// Reads one `--queue` value; a usage error when it is neither a path nor a PostgreSQL URL.
    public init(parsing value: String, environment: [String: String] = [:]) throws {
        let lowered = value.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres(url: value)
            return
        }
        var path = value
        if lowered.hasPrefix("sqlite:") {
            path = String(value.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
        } else if let scheme = value.range(of: "://"),
            value[..<scheme.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || "+.-".contains($0) })
        {
            throw CampaignError(
                .usage,
                "the queue '\(Self.mask(value))' is neither a file path nor a postgres:// URL; give a path (a SQLite file, for one machine) or postgres://USER@HOST/DATABASE"
            )
        }
        if path.isEmpty {
            throw CampaignError(
                .usage, "the queue location is empty; give a path (a SQLite file) or postgres://USER@HOST/DATABASE")
        }
        if path.hasPrefix("~/") { path = (environment["HOME"] ?? NSHomeDirectory()) + path.dropFirst(1) }
        self = .sqlite(path: path)
    }

    /// The location as messages show it: a PostgreSQL URL's password is masked.
    public var displayName: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url): return Self.mask(url)
        }
    }

    /// `url` with the password of its user part and of a `password=` parameter replaced by `***`.
    static func mask(_ url: String) -> String {
        var text = url
        for range in passwordRanges(text).reversed() { text.replaceSubrange(range, with: "***") }
        return text
    }

    /// The passwords written in a PostgreSQL URL (raw and percent-decoded), to scrub from server messages.
    static func passwords(in url: String) -> [String] {
        let found = passwordRanges(url).map { String(url[$0]) }
        let decoded = found.compactMap { $0.removingPercentEncoding }
        return Array(Set((found + decoded).filter { !$0.isEmpty }))
    }

    /// Where passwords stand in `url`, in order: after `user:` in `scheme://user:password@host`, and in the
    /// values of `password=` query parameters.
    private static func passwordRanges(_ url: String) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        if let start = url.range(of: "://") {
            let authorityEnd = url[start.upperBound...].firstIndex(where: { $0 == "/" || $0 == "?" }) ?? url.endIndex
            if let at = url[start.upperBound..<authorityEnd].lastIndex(of: "@"),
                let colon = url[start.upperBound..<at].firstIndex(of: ":")
            {
                ranges.append(url.index(after: colon)..<at)
            }
        }
        return ranges + passwordParameters(url)
    }

    /// The value ranges of `password=` query parameters.
    private static func passwordParameters(_ url: String) -> [Range<String.Index>] {
        guard let query = url.firstIndex(of: "?") else { return [] }
        var ranges: [Range<String.Index>] = []
        var position = url.index(after: query)
        while position < url.endIndex {
            let end = url[position...].firstIndex(of: "&") ?? url.endIndex
            let pair = url[position..<end]
            if pair.lowercased().hasPrefix("password="), let equals = pair.firstIndex(of: "=") {
                let range = url.index(after: equals)..<end
                if !range.isEmpty { ranges.append(range) }
            }
            position = end < url.endIndex ? url.index(after: end) : end
        }
        return ranges
    }
}
