import Archiver
import Foundation
import HTTPClientKit
import Mapillary
import SandboxKit
import Testing
import TestSupport

@Suite struct ParallelUsersTests {
    static let names = ["alpha", "bravo", "charlie", "delta", "foxtrot", "golf"]

    /// The most users the sandbox saw at work at the same time: each user's span runs from its first request
    /// (its listing) to its last (a CDN download), in the order the sandbox received them.
    static func mostUsersAtOnce(_ h: DownloadHarness) -> Int {
        var owner: [String: String] = [:]
        for name in names {
            for image in h.mapillary.expectedImages(user: name) { owner[image.id] = name }
        }
        var spans: [String: (first: Int, last: Int)] = [:]
        for (index, request) in h.mapillary.requestLog().enumerated() {
            let user: String?
            if request.origin == .api {
                user = request.queryValue("creator_username")
            } else {
                let file = request.path.split(separator: "/").last.map(String.init) ?? ""
                user = file.lastIndex(of: "_").flatMap { owner[String(file[..<$0])] }
            }
            guard let user else { continue }
            spans[user] = (spans[user]?.first ?? index, index)
        }
        var most = 0
        for (_, span) in spans {
            most = max(most, spans.values.filter { $0.first <= span.first && $0.last >= span.first }.count)
        }
        return most
    }

    @Test(arguments: [1, 3])
    func usersRunAtMostJobsAtOnceAndEachRunLogHoldsOnlyItsOwnUser(jobs: Int) async throws {
        let h = try DownloadHarness(users: Self.names.map { .init(name: $0, imageCount: 6) }) {
            $0.cdnLatency = .milliseconds(30)
        }
        defer { h.close() }
        var options = h.options(Self.names)
        options.jobs = jobs
        let report = await h.run(options)
        #expect(report.exitCode == 0)
        #expect(report.users.map(\.user) == Self.names, "the summary keeps the order users were given in")

        let most = Self.mostUsersAtOnce(h)
        if jobs == 1 {
            #expect(most == 1, "one user after the other")
        } else {
            #expect(most >= 2 && most <= jobs, "several users at once, never more than --jobs: \(most)")
        }
        for user in Self.names {
            let item = h.item(user, options)
            let members = try await TarListing.members(item: item)
            #expect(Set(members.map(\.imageID)) == Set(h.mapillary.archivableIDs(user)))
            let logName = try #require(
                try FileManager.default.contentsOfDirectory(atPath: item)
                    .first { $0.hasPrefix("download.log.") })
            let log = try String(contentsOfFile: item + "/" + logName, encoding: .utf8)
            #expect(
                log.contains("\(user): published") || log.contains("\(user): archiving into"), "\(user)'s own lines")
            for other in Self.names where other != user {
                #expect(!log.contains(other + ":"), "\(user)'s run log has no line of \(other)")
            }
        }
    }

    @Test func aRateLimitMetByOneUserPausesEveryUserAndTheBatchStillCompletes() async throws {
        // Two requests a second: of four listings sent at once, at least two meet the limit.
        let h = try DownloadHarness(users: Self.names.prefix(4).map { .init(name: $0, imageCount: 3) }) {
            $0.rateLimit = 2
        }
        defer { h.close() }
        var options = h.options(Array(Self.names.prefix(4)))
        options.jobs = 4
        // Pauses that can grow to a second, so that waiting (not giving up) is what gets the listings through.
        options.retry = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(50), maxDelay: .seconds(1))
        let report = await h.run(options)
        #expect(report.exitCode == 0, "\(report.table())")
        #expect(h.mapillary.counters.rateLimited >= 1)
        #expect(
            h.consoleLines.contains {
                $0.contains("Mapillary's rate limit was reached; every API request of this run waits")
            })
        for user in Self.names.prefix(4) {
            #expect(report.users.first { $0.user == user }?.outcome == .published(path: h.item(user, options)))
        }
    }

    @Test func usersRunningAtOnceShareOneBudgetOfTransfers() async throws {
        let h = try DownloadHarness(users: Self.names.map { .init(name: $0, imageCount: 8) }) {
            $0.cdnLatency = .milliseconds(40)
        }
        defer { h.close() }
        var options = h.options(Self.names)
        options.jobs = 6
        options.concurrency = 3
        let report = await h.run(options)
        #expect(report.exitCode == 0)
        let peak = h.mapillary.counters.cdnPeakInFlight
        #expect(peak >= 2 && peak <= 3, "six users together never have more than --concurrency transfers: \(peak)")
    }

    @Test func maxWorkersIsACeilingForTheTunedConcurrency() async throws {
        let h = try DownloadHarness(users: [.init(name: "alpha", imageCount: 150)]) {
            $0.cdnLatency = .milliseconds(30)
        }
        defer { h.close() }
        var options = h.options(["alpha"])
        options.maxConcurrency = 6
        let report = await h.run(options)
        #expect(report.exitCode == 0)
        let peak = h.mapillary.counters.cdnPeakInFlight
        // The tuner starts at 16 without a ceiling.
        #expect(peak >= 3 && peak <= 6, "the tuning stays under --max-workers: \(peak)")
    }

    @Test func aUserGivenTwiceIsArchivedOnce() async throws {
        let h = try DownloadHarness(users: [.init(name: "alpha", imageCount: 4), .init(name: "bravo", imageCount: 3)])
        defer { h.close() }
        let options = h.options(["alpha", "bravo", "alpha"])
        let report = await h.run(options)
        #expect(report.exitCode == 0)
        #expect(report.users.map(\.user) == ["alpha", "bravo"])
        #expect(
            h.consoleLines.contains { $0.contains("1 usernames were given more than once; each user is archived once") }
        )
        #expect(h.mapillary.counters.pageRequests == 2, "one listing per user")
    }
}
