import HTTPClientKit
import Logging
import Mapillary
import SandboxKit
import TestSupport

/// Tiny delays so retry paths run in milliseconds.
let fastRetry = RetryPolicy(maxAttempts: 8, baseDelay: .milliseconds(2), maxDelay: .milliseconds(20))

/// One test's world: the shared fixture (a temp folder, a sandbox on port 0 inside it), an HTTP client and a
/// Mapillary client.
final class Harness: Sendable {
    let fixture: SandboxFixture
    let http: HTTPClient
    let client: MapillaryClient

    init(
        label: String = "mapillary", token: String? = nil, retry: RetryPolicy = fastRetry,
        _ configure: (inout SandboxConfiguration) -> Void = { _ in }
    ) throws {
        fixture = try SandboxFixture(label: label, configure)
        let sandbox = fixture.sandbox
        http = HTTPClient()
        client = MapillaryClient(
            http: http, apiBase: sandbox.apiURL, token: token ?? sandbox.token, retry: retry,
            logger: Logger(label: "mapillary-tests"))
    }

    var temp: TemporaryDirectory { fixture.temp }
    var sandbox: Sandbox { fixture.sandbox }

    /// A second client on the same HTTP client (another token, another API base).
    func client(apiBase: String? = nil, token: String? = nil, retry: RetryPolicy = fastRetry) -> MapillaryClient {
        MapillaryClient(
            http: http, apiBase: apiBase ?? sandbox.apiURL, token: token ?? sandbox.token, retry: retry,
            logger: Logger(label: "mapillary-tests"))
    }

    func close() {
        http.shutdown()
        fixture.close()
    }

    /// Follows a listing to its end.
    func listAll(
        user: String, quality: Quality = .q256, bbox: BoundingBox? = nil, limit: Int = 2000,
        using other: MapillaryClient? = nil
    ) async throws -> Listing {
        let client = other ?? self.client
        var listing = Listing()
        var url: String? = client.firstPageURL(user: user, quality: quality, bbox: bbox, limit: limit)
        while let current = url {
            let page = try await client.fetchPage(url: current)
            listing.records += page.records
            listing.rejected += page.rejected
            listing.pages += 1
            listing.limits.append(page.limitUsed)
            url = page.next
        }
        return listing
    }
}

struct Listing {
    var records: [ImageRecord] = []
    var rejected: [RejectedRecord] = []
    var pages = 0
    var limits: [Int] = []
    var ids: [String] { records.map(\.id) }
}

extension Quality {
    var sandbox: SandboxQuality { SandboxQuality(rawValue: rawValue)! }
}
