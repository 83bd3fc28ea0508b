import Campaign
import CampaignPage
import Foundation
import HTTPClientKit
import Testing
import TestSupport

/// One test's campaign: a SQLite queue in a temporary folder with a job in each state, the page served on a
/// loopback port of its own, and a client to read it.
final class PageHarness: Sendable {
    /// A sentence with markup in it, as an error from outside could carry.
    static let hostileSentence = "the Mapillary API answered <script>alert(1)</script> & \"gave up\"; try again later"

    let temp: TemporaryDirectory
    let queue: JobQueue
    let server: CampaignPageServer
    let client = HTTPClient()

    init(options: CampaignPageOptions = PageHarness.options()) throws {
        temp = try TemporaryDirectory("campaign-page")
        queue = try JobQueue(.sqlite(path: temp.file("campaign.sqlite")))
        _ = try queue.add(
            ["alice", "bob", "<i>carol", "dave", "erin"].map { JobSpec(username: $0, quality: "2048", webp: true) })
        let alice = try #require(try queue.claim(worker: "w1", host: "box-a"))
        try queue.complete(
            alice,
            result: JobResult(
                identifier: "mapillary-alice-2048-webp", images: 1234, bytes: 2_100_000_000,
                uploaded: true, verified: true))
        let bob = try #require(try queue.claim(worker: "w1", host: "box-a"))
        try queue.fail(bob, sentence: Self.hostileSentence, kind: .permanent)
        let carol = try #require(try queue.claim(worker: "w2", host: "box-b"))
        try queue.renew(carol, progress: JobProgress(images: 10, listed: 40, listingComplete: true, bytes: 5_000_000))
        server = try CampaignPageServer(queue: queue, options: options)
    }

    /// Port 0, and a made-up archive site whose links the tests can recognise.
    static func options() -> CampaignPageOptions {
        var options = CampaignPageOptions()
        options.port = 0
        options.archiveURL = "http://ia.example"
        return options
    }

    func get(_ path: String, method: String = "GET", headers: [HTTPHeader] = []) async throws -> HTTPResponse {
        try await client.send(HTTPRequest(method: method, url: server.baseURL + path, headers: headers))
    }

    func close() {
        server.stop()
        client.shutdown()
        queue.close()
        temp.remove()
    }
}
