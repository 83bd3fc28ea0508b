import Essentials

/// Which page a listing URL asks for, whatever its `limit` (the client shrinks pages) and its percent-encoding.
public enum PageLink {
    /// Origin and path plus the decoded query parameters other than `limit`, sorted: two URLs with the same
    /// identity ask the API for the same page.
    public static func identity(of url: String) -> String {
        guard let question = url.firstIndex(of: "?") else { return url }
        let query = url[url.index(after: question)...].prefix { $0 != "#" }
        let pairs = query.split(separator: "&").map { pair -> String in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentEncoding.decode(parts[0], plusIsSpace: true)
            let value = parts.count > 1 ? PercentEncoding.decode(parts[1], plusIsSpace: true) : ""
            return name + "=" + value
        }.filter { !$0.hasPrefix("limit=") }.sorted()
        return String(url[..<question]) + "?" + pairs.joined(separator: "&")
    }
}
