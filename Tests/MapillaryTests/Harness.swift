import HTTPClient
import Logging
import Mapillary
import Sandbox
import TestSupport

/// Tiny delays so retry paths run in milliseconds.
let fastRetry = RetryPolicy(maxAttempts: 8, baseDelay: .milliseconds(2), maxDelay: .milliseconds(20))

/// One test's world: a temp folder, a sandbox on port 0 inside it, an HTTP client and a Mapillary client.
final class Harness: Sendable {
    let temp: TemporaryDirectory
    let sandbox: Sandbox
    let http: HTTPClient
    let client: MapillaryClient

    init(label: String = "mapillary", token: String? = nil, retry: RetryPolicy = fastRetry,
         _ configure: (inout SandboxConfiguration) -> Void = { _ in }) throws {
        temp = try TemporaryDirectory(label)
        var configuration = SandboxConfiguration()
        configuration.dataDirectory = temp.file("sandbox")
        configure(&configuration)
        do {
            sandbox = try Sandbox(configuration)
        } catch {
            temp.remove()
            throw error
        }
        http = HTTPClient()
        client = MapillaryClient(http: http, apiBase: sandbox.apiURL, token: token ?? sandbox.token, retry: retry,
                                 logger: Logger(label: "mapillary-tests"))
    }

    /// A second client on the same HTTP client (another token, another API base).
    func client(apiBase: String? = nil, token: String? = nil, retry: RetryPolicy = fastRetry) -> MapillaryClient {
        MapillaryClient(http: http, apiBase: apiBase ?? sandbox.apiURL, token: token ?? sandbox.token, retry: retry,
                        logger: Logger(label: "mapillary-tests"))
    }

    func close() {
        http.shutdown()
        sandbox.stop()
        temp.remove()
    }

    /// Follows a listing to its end.
    func listAll(user: String, quality: Quality = .q256, bbox: BoundingBox? = nil, limit: Int = 2000,
                 using other: MapillaryClient? = nil) async throws -> Listing {
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

    /// Ids of the user's images a correct client keeps (hostile ones excluded).
    func archivableIDs(_ user: String) -> [String] {
        sandbox.mapillary.expectedImages(user: user).filter(\.isArchivable).map(\.id)
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
