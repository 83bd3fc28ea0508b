import Essentials
import HTTPClientKit

/// archive.org's scrape API (`/services/search/v1/scrape`): every item matching a query, page by page with
/// the answer's `cursor` (the last page has none), so result sets past IA's 10,000-result paging limit come
/// back whole.
public struct ScrapeClient: Sendable {
    /// What one page brought: its number (from 1), the items so far and the total IA reported (when it did).
    public struct PageProgress: Sendable {
        public let page: Int
        public let itemsSoFar: Int
        public let total: Int?
    }

    let http: HTTPClient
    let endpoints: IAEndpoints
    let retry: RetryPolicy
    /// Results per page (IA accepts 100 to 10,000).
    let pageSize: Int

    /// `pageSize` is clamped to IA's 100…10,000; the default, 10,000, needs the fewest requests.
    public init(
        http: HTTPClient, endpoints: IAEndpoints = IAEndpoints(),
        retry: RetryPolicy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(20)),
        pageSize: Int = 10_000
    ) {
        self.http = http
        self.endpoints = endpoints
        self.retry = retry
        self.pageSize = min(max(pageSize, 100), 10_000)
    }

    /// Every item matching `query` with the requested `fields` (numbers as decimal text, lists kept as lists).
    /// Network failures, 429 and 5xx are retried; an answer with an `error` (IA's way of refusing a search) or
    /// without an items list throws a sentence. Stops at a page without items, and after 10,000 pages, as guards
    /// against a cursor that never ends.
    public func items(
        query: String, fields: [String],
        onPage: @Sendable (PageProgress) -> Void = { _ in }
    ) async throws -> [ScrapedItem] {
        var out: [ScrapedItem] = []
        var cursor: String?
        var pages = 0
        var pageItems = 0
        repeat {
            var url =
                endpoints.archive + "/services/search/v1/scrape?q=" + IAEncoding.quote(query, safe: "")
                + "&fields=" + IAEncoding.quote(fields.joined(separator: ","), safe: ",") + "&count=\(pageSize)"
            if let cursor { url += "&cursor=" + IAEncoding.quote(cursor, safe: "") }
            var request = HTTPRequest(method: "GET", url: url, response: .memory(limit: 256 << 20))
            request.timeout = .seconds(120)
            let response = try await ArchiveMetadataClient.fetch(
                request, http: http, retry: retry,
                what: "the search \(query)")
            if let refusal = ArchiveMetadataClient.errorText(response) {
                throw InternetArchiveError(
                    .badAnswer,
                    "archive.org's scrape API refused the search \(query) "
                        + "(IA says: \(refusal)); try again later, and check --archive-url if it "
                        + "persists")
            }
            guard let object = JSONValue.archiveObject(response.body), let items = object["items"]?.arrayValue else {
                throw InternetArchiveError(
                    .badAnswer,
                    "archive.org's scrape API answered without an items list for "
                        + "\(query); check --archive-url and try again later")
            }
            for case .object(let item) in items {
                out.append(ScrapedItem(fields: item.mapValues(\.texts)))
            }
            cursor = object["cursor"]?.scalarText.flatMap { $0.isEmpty ? nil : $0 }
            pageItems = items.count
            pages += 1
            let total = object["total"]?.integerValue.map { Int($0) }
            onPage(PageProgress(page: pages, itemsSoFar: out.count, total: total))
        } while cursor != nil && pageItems > 0 && pages < 10_000
        return out
    }
}
