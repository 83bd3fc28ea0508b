import HTTPClient

/// archive.org's scrape API (`/services/search/v1/scrape`): every item matching a query, page by page with
/// the answer's `cursor` (the last page has none).
public struct ScrapeClient: Sendable {
    let http: HTTPClient
    let endpoints: IAEndpoints
    let retry: RetryPolicy
    /// Results per page (IA accepts 100 to 10,000).
    let pageSize: Int

    public init(http: HTTPClient, endpoints: IAEndpoints = IAEndpoints(),
                retry: RetryPolicy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(20)),
                pageSize: Int = 1000) {
        self.http = http
        self.endpoints = endpoints
        self.retry = retry
        self.pageSize = min(max(pageSize, 100), 10_000)
    }

    /// Every item matching `query` with the requested `fields` (numbers as decimal text, lists kept as lists).
    /// Stops after 10,000 pages as a guard against a cursor that never ends.
    public func items(query: String, fields: [String]) async throws -> [ScrapedItem] {
        var out: [ScrapedItem] = []
        var cursor: String?
        var pages = 0
        repeat {
            var url = endpoints.archive + "/services/search/v1/scrape?q=" + IAEncoding.quote(query, safe: "")
                + "&fields=" + IAEncoding.quote(fields.joined(separator: ","), safe: ",") + "&count=\(pageSize)"
            if let cursor { url += "&cursor=" + IAEncoding.quote(cursor, safe: "") }
            var request = HTTPRequest(method: "GET", url: url, response: .memory(limit: 256 << 20))
            request.timeout = .seconds(120)
            let response = try await ArchiveMetadataClient.fetch(request, http: http, retry: retry,
                                                                 what: "the search \(query)")
            guard let object = JSONValue.object(response.body), let items = object["items"] as? [Any] else {
                throw InternetArchiveError(.badAnswer, "archive.org's scrape API answered without an items list for "
                                           + "\(query); check --archive-url and try again later")
            }
            for case let item as [String: Any] in items {
                out.append(ScrapedItem(fields: item.mapValues { JSONValue.strings($0) }))
            }
            cursor = JSONValue.string(object["cursor"]).flatMap { $0.isEmpty ? nil : $0 }
            pages += 1
        } while cursor != nil && pages < 10_000
        return out
    }
}

/// One item of a scrape answer: each field's values as text (a single value is a list of one).
public struct ScrapedItem: Sendable, Equatable {
    public let fields: [String: [String]]

    public init(fields: [String: [String]]) {
        self.fields = fields
    }

    /// The values of `name` (empty when absent).
    public func values(_ name: String) -> [String] { fields[name] ?? [] }

    /// The first value of `name`.
    public func first(_ name: String) -> String? { fields[name]?.first }
}
