import Foundation
import HTTPClientKit
import Logging
import Mapillary
import Testing
import TestSupport

/// Pages the real API could send but the sandbox does not: checked through `fetchPage` against canned answers.
@Suite struct PageParsingTests {
    private func fetch(
        _ answer: CannedServer.Answer, retry: RetryPolicy = fastRetry
    ) async throws
        -> (Result<ImagePage, any Error>, CannedServer)
    {
        let server = try CannedServer(["/images": answer])
        let http = HTTPClient()
        defer { http.shutdown() }
        let client = MapillaryClient(
            http: http, apiBase: server.baseURL, token: "MLY|1|secret", retry: retry,
            logger: Logger(label: "test"))
        let url = client.firstPageURL(user: "alice", quality: .q1024, bbox: nil)
        let result: Result<ImagePage, any Error>
        do { result = .success(try await client.fetchPage(url: url)) } catch { result = .failure(error) }
        server.stop()
        return (result, server)
    }

    @Test func prettyPrintedPagesWithTrickyStringsAreScannedRecordByRecord() async throws {
        let body = """
            {
              "data": [
                {
                  "id": "101",
                  "make": "Brackets ] } [ { and \\"quotes\\" and \\\\",
                  "model": "\\u00dcber \\ud83d\\ude00",
                  "thumb_1024_url": "https://cdn.example/101.jpg"
                },
                { "id": "102", "sequence": "seq_A-1", "captured_at": 1507560881000 },
                { "id": "../etc", "sequence": "x" }
              ],
              "paging": { "cursors": { "after": "abc" } }
            }
            """
        let (result, _) = try await fetch(.json(body))
        let page = try result.get()
        #expect(page.records.map(\.id) == ["101", "102"])
        #expect(page.records[0].make == #"Brackets ] } [ { and "quotes" and \"#)
        #expect(page.records[0].model == "Über 😀")
        #expect(page.records[0].thumbURL == "https://cdn.example/101.jpg")
        #expect(!page.records[0].rawJSON.contains(0x0A), "one JSONL line per record")
        #expect(page.records[1].sequence == "seq_A-1")
        #expect(page.rejected.count == 1)
        #expect(page.rejected[0].reason.contains("../etc"))
        #expect(page.next == nil)
        #expect(page.limitUsed == 2000)
    }

    @Test func pagesAreAskedForGzippedAndTheirRecordsKeepTheBytesTheAPIWrote() async throws {
        let records = (1...50).map {
            #"{"id":"\#($0)","captured_at":1507560881000,"make":"GoPro","thumb_1024_url":"https://cdn.example/\#($0).jpg"}"#
        }
        let body = #"{"data":["# + records.joined(separator: ",") + "]}"
        let dir = try TemporaryDirectory("gzip-page")
        defer { dir.remove() }
        let plain = dir.file("page.json")
        try Data(body.utf8).write(to: URL(fileURLWithPath: plain))
        #expect(try ExternalTool.run("gzip", ["-k", "-n", plain]).ok)
        let gzipped = Array(try Data(contentsOf: URL(fileURLWithPath: plain + ".gz")))
        let answer = CannedServer.Answer(
            status: 200, contentType: "application/json", body: gzipped, contentEncoding: "gzip")
        let (result, server) = try await fetch(answer)
        let page = try result.get()
        #expect(page.records.map(\.id) == (1...50).map(String.init))
        #expect(page.records.map { String(decoding: $0.rawJSON, as: UTF8.self) } == records)
        #expect(server.requests.first?.acceptEncoding?.contains("gzip") == true)
        #expect(gzipped.count * 3 < body.utf8.count, "the page travelled compressed")
    }

    @Test func aBodyThatIsNotJSONIsNamedWithStatusAndContentType() async throws {
        let html = CannedServer.Answer(
            status: 200, contentType: "text/html", body: Array("<html>captive portal</html>".utf8))
        let (result, server) = try await fetch(html)
        #expect(throws: MapillaryError.self) { try result.get() }
        if case .failure(let error as MapillaryError) = result {
            #expect(error.code == .notJSON)
            #expect(
                error.description
                    == "the Mapillary API answered with something that is not JSON (HTTP 200, content-type text/html); check --api-url"
            )
        }
        #expect(server.requests.count == 1, "a 200 that is not JSON is not retried")
    }

    @Test func anErrorObjectFailsThePageWhateverTheStatus() async throws {
        let body =
            #"{"error":{"message":"Invalid OAuth access token - Cannot parse access token","type":"OAuthException","code":190,"fbtrace_id":"x"}}"#
        let (result, server) = try await fetch(.json(body, status: 200))
        guard case .failure(let error as MapillaryError) = result else { Issue.record("no error"); return }
        #expect(error.code == .tokenRejected)
        #expect(error.description.hasPrefix("the Mapillary token was rejected (Invalid OAuth access token"))
        #expect(error.description.hasSuffix("; check --token or MAPILLARY_TOKEN"))
        #expect(server.requests.count == 1)
    }

    @Test func deeplyNestedBodiesAreRefusedNotCrashedOn() async throws {
        let body =
            #"{"data":["# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "]}"
        let (result, _) = try await fetch(.json(body))
        guard case .failure(let error as MapillaryError) = result else { Issue.record("no error"); return }
        #expect(error.code == .notJSON)
    }

    @Test func aNextLinkToAnotherHostIsRefusedSoTheTokenStaysHome() async throws {
        let body = #"{"data":[{"id":"1"}],"paging":{"next":"https://evil.example/images?after=x"}}"#
        let (result, server) = try await fetch(.json(body))
        guard case .failure(let error as MapillaryError) = result else { Issue.record("no error"); return }
        #expect(error.code == .foreignURL)
        #expect(error.description.contains("https://evil.example:443"))
        #expect(error.description.contains("refusing to send the token there"))
        #expect(server.requests.count == 1)
        #expect(server.requests[0].authorization == "OAuth MLY|1|secret", "the API itself gets the token in the header")
        #expect(!server.requests[0].target.contains("secret"), "never in the URL")
    }

    @Test(arguments: [
        "https://evil.example/images?after=1",
        "http://127.0.0.1.evil.example/images",
        "http://user@127.0.0.1/images",
        "file:///etc/passwd",
        "ftp://127.0.0.1/images",
    ])
    func savedLinksOffTheAPIOriginAreRefusedBeforeAnyRequest(link: String) async throws {
        let server = try CannedServer([:])
        defer { server.stop() }
        let http = HTTPClient()
        defer { http.shutdown() }
        let client = MapillaryClient(
            http: http, apiBase: server.baseURL, token: "MLY|1|secret", retry: fastRetry,
            logger: Logger(label: "test"))
        await #expect(throws: MapillaryError.self) { _ = try await client.fetchPage(url: link) }
        #expect(server.requests.isEmpty)
    }

    @Test func aNonStringNextLinkStopsTheListingInsteadOfEndingItSilently() async throws {
        let (result, _) = try await fetch(.json(#"{"data":[{"id":"1"}],"paging":{"next":42}}"#))
        guard case .failure(let error as MapillaryError) = result else { Issue.record("no error"); return }
        #expect(error.code == .unexpectedResponse)
    }
}
