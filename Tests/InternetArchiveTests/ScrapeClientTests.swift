import HTTPClientKit
import HTTPServerKit
import InternetArchive
import Testing

/// Answers the sandbox's archive.org never gives: a search refused with an `error` at HTTP 200 (how
/// archive.org's services often refuse) and a 400 that says why.
@Suite struct ScrapeClientTests {
    @Test(arguments: [200, 400])
    func aRefusedSearchIsOneSentenceQuotingIA(status: Int) async throws {
        let server = try HTTPServer(port: 0) { _, response in
            response.send(
                status: status, headers: [("Content-Type", "application/json")],
                body: Array(#"{"error": "invalid query\nsyntax", "errorType": "SearchError"}"#.utf8))
        }
        let http = HTTPClient()
        defer { http.shutdown() }
        let client = ScrapeClient(
            http: http, endpoints: IAEndpoints(s3: server.baseURL, archive: server.baseURL),
            retry: .none)
        let error = await #expect(throws: InternetArchiveError.self) {
            _ = try await client.items(query: "a:* OR b:*", fields: ["identifier"])
        }
        let expected =
            status == 200
            ? "archive.org's scrape API refused the search a:* OR b:* (IA says: invalid query?syntax); try again later, "
                + "and check --archive-url if it persists"
            : "archive.org answered HTTP 400 when asked for the search a:* OR b:* (IA says: invalid query?syntax); "
                + "check --archive-url"
        #expect(error?.description == expected)
        withExtendedLifetime(server) {}
    }
}
