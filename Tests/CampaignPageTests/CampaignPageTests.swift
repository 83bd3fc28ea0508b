import Campaign
import CampaignPage
import Foundation
import HTTPClientKit
import Testing
import TestSupport

/// The campaign page over real HTTP: what it shows, what it refuses, and the headers that keep it inert.
@Suite struct CampaignPageTests {
    @Test func thePageShowsTheCampaignAndEscapesWhatCameFromOutside() async throws {
        let harness = try PageHarness()
        defer { harness.close() }
        let answer = try await harness.get("/")
        #expect(answer.status == 200)
        #expect(answer.header("Content-Type") == "text/html; charset=utf-8")
        #expect(answer.header("Cache-Control") == "no-store")
        #expect(answer.header("X-Content-Type-Options") == "nosniff")
        let page = answer.text
        for (state, count) in [("pending", 2), ("running", 1), ("done", 1), ("failed", 1), ("total", 5)] {
            #expect(page.contains("id=\"count-\(state)\">\(count)</span>"), "\(state)")
        }
        // Markup from a username or a sentence arrives as text, never as elements.
        #expect(
            page.contains(
                "the Mapillary API answered &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;gave up&quot;; try again later"
            ))
        #expect(!page.contains("<script>alert(1)"))
        #expect(page.contains("&lt;i&gt;carol (2048, webp)") && !page.contains("<i>carol"))
        #expect(
            page.contains(
                "<a href=\"http://ia.example/details/mapillary-alice-2048-webp\" rel=\"noopener noreferrer\">"))
        #expect(page.contains("<progress max=\"40\" value=\"10\"></progress> 10 images of 40, 5.00 MB"))
        #expect(page.contains("<rect class=\"bar\""), "the job done just now has its bar")
        #expect(!page.contains(harness.temp.path), "the queue's location is not shown")

        // The policy allows the page's own style and script by a nonce drawn for this answer, and nothing else.
        let policy = try #require(answer.header("Content-Security-Policy"))
        let nonce = try #require(policy.firstMatch(of: /script-src 'nonce-([A-Za-z0-9+\/=]+)'/)?.1)
        #expect(policy.hasPrefix("default-src 'none'; ") && policy.contains("connect-src 'self'"))
        #expect(page.contains("<script nonce=\"\(nonce)\">") && page.contains("<style nonce=\"\(nonce)\">"))
        #expect(page.components(separatedBy: "<script").count == 2, "one script: the page's own")
        let again = try await harness.get("/")
        #expect(again.header("Content-Security-Policy") != policy, "each answer draws its own nonce")
    }

    @Test func statusJSONServesTheSameNumbers() async throws {
        let harness = try PageHarness()
        defer { harness.close() }
        let answer = try await harness.get("/status.json")
        #expect(answer.status == 200)
        #expect(answer.header("Content-Type") == "application/json; charset=utf-8")
        #expect(answer.header("Cache-Control") == "no-store")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        #expect(
            json["counts"] as? [String: Int] == [
                "pending": 2, "waiting": 0, "running": 1, "done": 1, "failed": 1, "total": 5,
            ])
        #expect(json["queue"] == nil && !answer.text.contains(harness.temp.path), "the queue's location is not served")
        let failure = try #require((json["recent_failures"] as? [[String: Any]])?.first)
        #expect(failure["error"] as? String == PageHarness.hostileSentence)
        let running = try #require((json["running"] as? [[String: Any]])?.first)
        #expect(running["username"] as? String == "<i>carol" && running["worker"] as? String == "w2")
        let progress = try #require(running["progress"] as? [String: Any])
        #expect(
            progress["images"] as? Int == 10 && progress["listed"] as? Int == 40
                && progress["bytes"] as? Int == 5_000_000)
        #expect(progress["listing_complete"] as? Bool == true)
        let finished = try #require((json["recently_finished"] as? [[String: Any]])?.first)
        #expect(finished["details_url"] as? String == "http://ia.example/details/mapillary-alice-2048-webp")
        #expect(finished["images"] as? Int == 1234 && finished["verified"] as? Bool == true)
        let history = try #require(json["history"] as? [String: Any])
        let slots = try #require(history["slots"] as? [[String: Any]])
        #expect(history["slot_seconds"] as? Double == 900 && slots.count == 48)
        #expect(slots.compactMap { $0["images"] as? Int }.reduce(0, +) == 1234)
    }

    @Test func onlyGETAndHEADAreAnsweredAndNothingChangesTheQueue() async throws {
        let harness = try PageHarness()
        defer { harness.close() }
        let before = try harness.queue.status()
        for method in ["POST", "PUT", "DELETE", "PATCH"] {
            for path in ["/", "/status.json"] {
                let answer = try await harness.get(path, method: method)
                #expect(answer.status == 405, "\(method) \(path)")
                #expect(answer.header("Allow") == "GET, HEAD")
            }
        }
        let missing = try await harness.get("/admin")
        #expect(missing.status == 404)
        #expect(missing.text == "there is nothing at /admin; the campaign page is at / and its data at /status.json\n")
        let head = try await harness.get("/", method: "HEAD")
        #expect(head.status == 200 && head.body.isEmpty && head.header("Content-Type") == "text/html; charset=utf-8")
        let after = try harness.queue.status()
        #expect(after.counts == before.counts && after.running.map(\.username) == before.running.map(\.username))
    }

    @Test func onLoopbackAForeignHostNameIsRefused() async throws {
        let harness = try PageHarness()
        defer { harness.close() }
        let rebound = try await harness.get(
            "/status.json", headers: [HTTPHeader("Host", "attacker.example:\(harness.server.port)")])
        #expect(rebound.status == 403)
        #expect(rebound.text.hasPrefix("this page answers only to localhost, 127.0.0.1 or [::1]"))
        for host in ["localhost:9000", "127.0.0.1", "[::1]:\(harness.server.port)"] {
            #expect(try await harness.get("/status.json", headers: [HTTPHeader("Host", host)]).status == 200, "\(host)")
        }
    }

    @Test func oneReadingOfTheQueueServesEveryRequestOfItsLifetime() async throws {
        var options = PageHarness.options()
        options.snapshotLifetime = .seconds(600)
        let harness = try PageHarness(options: options)
        defer { harness.close() }
        #expect(try await harness.get("/status.json").text.contains("\"done\":1,"))
        let carol = try #require(try harness.queue.status().running.first)
        _ = try harness.queue.remove(usernames: [carol.username])
        #expect(
            try await harness.get("/status.json").text.contains("\"done\":1,\"failed\":1,\"pending\":2,\"running\":1,"),
            "within its lifetime the reading is not made again")

        // With the default lifetime, a second later the queue is read again.
        let fresh = try PageHarness()
        defer { fresh.close() }
        #expect(try await fresh.get("/status.json").text.contains("\"running\":1,"))
        _ = try fresh.queue.remove(usernames: ["<i>carol"])
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try await fresh.get("/status.json").text.contains("\"running\":0,"))
    }

    @Test func aQueueThatCannotBeReadIsSaidOnThePageWith503() async throws {
        var policy = QueuePolicy()
        policy.reconnectFor = .seconds(1)
        let url = try TestPostgres.freshDatabase()
        let queue = try JobQueue(.postgres(url: url), policy: policy)
        defer { queue.close() }
        let server = try CampaignPageServer(queue: queue, options: PageHarness.options())
        defer { server.stop() }
        let client = HTTPClient()
        defer { client.shutdown() }
        // No new connection to the database is allowed, and the page's is ended.
        let name = try TestPostgres.psql(url, "SELECT current_database()")
        let admin = try TestPostgres.adminURL()
        try TestPostgres.psql(admin, "ALTER DATABASE \(name) WITH ALLOW_CONNECTIONS false")
        try TestPostgres.psql(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'")
        defer { _ = try? TestPostgres.psql(admin, "ALTER DATABASE \(name) WITH ALLOW_CONNECTIONS true") }

        let page = try await client.send(HTTPRequest(url: server.baseURL + "/"))
        #expect(page.status == 503)
        #expect(
            page.text.contains(
                "<p id=\"state\" class=\"problem\">the queue could not be read: lost the connection to the PostgreSQL queue at 127.0.0.1:"
            ))
        #expect(page.text.contains("id=\"count-done\">-</span>"))
        let data = try await client.send(HTTPRequest(url: server.baseURL + "/status.json"))
        #expect(data.status == 503)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(data.body)) as? [String: String])
        #expect(
            json["error"]?.hasPrefix("the queue could not be read: lost the connection to the PostgreSQL queue") == true
        )
        #expect(!page.text.contains(url) && !data.text.contains(url))
    }

    @Test func aPortInUseIsOneSentenceNamingAddressAndPort() throws {
        let harness = try PageHarness()
        defer { harness.close() }
        var options = PageHarness.options()
        options.port = harness.server.port
        let error = #expect(throws: CampaignPageError.self) {
            try CampaignPageServer(queue: harness.queue, options: options)
        }
        #expect(error?.code == .portInUse)
        #expect(
            error?.description
                == "cannot serve the campaign page on 127.0.0.1 port \(harness.server.port): another program listens there; stop it, or give queue serve another --port"
        )
    }
}
