import Foundation
import HTTPServerKit
import Testing
import TestSupport

/// Every bad input: one clear sentence, a non-zero exit (2 for usage errors, 1 for failed users), and
/// nothing already archived is lost.
@Suite(.timeLimit(.minutes(3)))
struct BadInputTests {
    struct UsageCase: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        let withoutToken: Bool
        let sentence: String
        var testDescription: String { (withoutToken ? "no token: " : "") + arguments.joined(separator: " ") }
    }

    static let usageCases: [UsageCase] = [
        .init(
            arguments: ["alice"], withoutToken: true,
            sentence:
                "no Mapillary token: give --token or set MAPILLARY_TOKEN (get one at https://www.mapillary.com/dashboard/developers)"
        ),
        .init(
            arguments: ["alice", "--bbox", "13.4,52.5,13.41"], withoutToken: false,
            sentence:
                "the bounding box \"13.4,52.5,13.41\" is not four numbers; give it as W,S,E,N, e.g. 13.40,52.51,13.45,52.53"
        ),
        .init(
            arguments: ["alice", "--bbox", "13.4,52.5,abc,52.51"], withoutToken: false,
            sentence:
                "the bounding box \"13.4,52.5,abc,52.51\" is not four numbers; give it as W,S,E,N, e.g. 13.40,52.51,13.45,52.53"
        ),
        .init(
            arguments: ["alice", "--bbox", "13.45,52.5,13.4,52.51"], withoutToken: false,
            sentence: "the bounding box's west edge 13.45 is not less than its east edge 13.4; give it as W,S,E,N"),
        .init(
            arguments: ["alice", "--bbox", "13.4,52.5,13.4,52.51"], withoutToken: false,
            sentence: "the bounding box's west edge 13.4 is not less than its east edge 13.4; give it as W,S,E,N"),
        .init(
            arguments: ["alice", "--bbox", "13.4,52.5,13.41,52.5"], withoutToken: false,
            sentence: "the bounding box's south edge 52.5 is not less than its north edge 52.5; give it as W,S,E,N"),
        .init(
            arguments: ["alice", "--bbox", "13.4,52.51,13.41,52.5"], withoutToken: false,
            sentence: "the bounding box's south edge 52.51 is not less than its north edge 52.5; give it as W,S,E,N"),
        .init(
            arguments: ["alice", "--bbox", "13.0,52.0,13.2,52.1"], withoutToken: false,
            sentence:
                "the bounding box covers 0.0200 square degrees but Mapillary accepts less than 0.01; use a smaller box"),
        .init(
            arguments: ["alice", "--quality", "512"], withoutToken: false,
            sentence: "--quality must be 256, 1024, 2048 or original, not '512'"),
        .init(
            arguments: ["alice", "--concurrency", "0"], withoutToken: false,
            sentence: "--concurrency must be between 1 and 512"),
        .init(
            arguments: ["--output", "x"], withoutToken: false,
            sentence: "give at least one Mapillary username (or --users-file)"),
        .init(
            arguments: ["alice", "--api-url", "ftp://example.org"], withoutToken: false,
            sentence:
                "the Mapillary API URL \"ftp://example.org\" is not an http(s) URL; check --api-url or MAPILLARY_API_URL"
        ),
        // Refused by `upload` after the whole download, before the rule was one for every command.
        .init(
            arguments: ["alice", "--meta", "1abc=v"], withoutToken: false,
            sentence:
                "the metadata key '1abc' is not allowed; start it with a letter and use only letters, digits, '.', '_' and '-'"
        ),
        // These used to wrap around, exit 1 after the download, or quietly become something else.
        .init(
            arguments: ["alice", "--multipart-threshold", "17592186044416"], withoutToken: false,
            sentence:
                "the multipart threshold (more than 8 EiB) is outside 0 to 5 GiB (the most one PUT may carry); give --multipart-threshold between 0 and 5120 (MiB)"
        ),
        .init(
            arguments: ["alice", "--part-size", "9000000000000"], withoutToken: false,
            sentence:
                "the part size (more than 8 EiB) is outside S3's limits of 5 MiB to 5 GiB per part; give --part-size between 5 and 5120 (MiB)"
        ),
        .init(
            arguments: ["alice", "--part-size", "0"], withoutToken: false,
            sentence:
                "the part size (0 MiB) is outside S3's limits of 5 MiB to 5 GiB per part; give --part-size between 5 and 5120 (MiB)"
        ),
        .init(
            arguments: ["alice", "--part-size", "4"], withoutToken: false,
            sentence:
                "the part size (4 MiB) is outside S3's limits of 5 MiB to 5 GiB per part; give --part-size between 5 and 5120 (MiB)"
        ),
        .init(
            arguments: ["alice", "--verify-timeout=-1"], withoutToken: false,
            sentence:
                "the verification wait (-1.0 seconds) is outside 0 to a day; give --verify-timeout between 0 and 86400 (seconds)"
        ),
        .init(
            arguments: [""], withoutToken: false,
            sentence: "a username is empty; give the Mapillary username (as in https://www.mapillary.com/app/user/NAME)"
        ),
        .init(
            arguments: ["alice", "eve\nINFO  forged"], withoutToken: false,
            sentence:
                "the username \"eve\\nINFO  forged\" contains the control or formatting character U+000A at position 4; a username is one line of plain text, so check where it came from"
        ),
        .init(
            arguments: [" alice"], withoutToken: false,
            sentence: "the username \" alice\" starts or ends with a space; remove it"),
        .init(
            arguments: ["alice", "--token", "MLY|1|to ken"], withoutToken: true,
            sentence:
                "the Mapillary token is empty or contains spaces or control characters; copy it again from https://www.mapillary.com/dashboard/developers (it looks like MLY|…)"
        ),
        .init(
            arguments: ["alice", "--s3-url", "ftp://example.org"], withoutToken: false,
            sentence: "the IA S3 URL \"ftp://example.org\" is not an http(s) URL; check --s3-url or IA_S3_URL"),
        .init(
            arguments: ["alice", "--upload"], withoutToken: false,
            sentence:
                "no Internet Archive keys were found; pass --access-key and --secret-key, set IA_ACCESS_KEY_ID and IA_SECRET_ACCESS_KEY, or run `ia configure` (keys are at https://archive.org/account/s3.php)"
        ),
    ]

    @Test(arguments: usageCases)
    func usageErrorsAreOneSentenceAndExitTwo(_ c: UsageCase) async throws {
        let temp = try TemporaryDirectory("usage")
        defer { temp.remove() }
        var environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": temp.path, "XDG_CACHE_HOME": temp.file("xdg"),
            // Nothing listens here: a usage error must stop the run before any request.
            "MAPILLARY_API_URL": "http://127.0.0.1:9", "IA_ARCHIVE_URL": "http://127.0.0.1:9",
        ]
        if !c.withoutToken { environment["MAPILLARY_TOKEN"] = "MLY|1|token" }
        let run = try BinaryProcess(
            arguments: c.arguments + ["--output", temp.file("out")], environment: environment,
            outputPrefix: temp.file("run"), currentDirectory: temp.path)
        let result = await run.wait(timeout: .seconds(30))
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first == "error: " + c.sentence, "\(result.stderr)")
        #expect(
            lines.count == 2 && lines.last?.hasPrefix("(see `mapillary-archiver help`") == true,
            "one sentence and a pointer to help")
        #expect(
            !FileManager.default.fileExists(atPath: temp.file("out"))
                && !FileManager.default.fileExists(atPath: temp.file("xdg")),
            "nothing was created")
    }

    @Test func failingUsersExitOneWithTheirSentenceAndTheArchiveIsUntouched() async throws {
        let h = try CLIHarness(users: [
            .init(name: "alice", imageCount: 12), .init(name: "mallory", imageCount: 30, kind: .hostile),
            .init(name: "nj", imageCount: 4, kind: .nonJPEG),
        ])
        defer { h.close() }
        let first = try await h.download(["alice"])
        try #require(first.status == 0, "\(first.transcript)")
        let archived = try await TarListing.sha256(item: h.item("alice"))
        let html = try HTTPServer { _, response in
            response.send(
                status: 200, headers: [("Content-Type", "text/html; charset=utf-8")],
                body: Array("<!doctype html><title>Portal</title>".utf8))
        }
        defer { html.stop() }

        let cases: [(arguments: [String], line: String)] = [
            (["nobody"], "no images"),
            (
                ["alice", "--api-url", html.baseURL],
                "FAILED: the Mapillary API answered with something that is not JSON (HTTP 200, content-type text/html; charset=utf-8); check --api-url"
            ),
            (
                ["alice", "--token", "MLY|9|rejected"],
                "FAILED: the Mapillary token was rejected (Invalid OAuth access token - Cannot parse access token (OAuthException, code 190)); check --token or MAPILLARY_TOKEN"
            ),
            (
                ["nj"],
                "4 × the CDN answered with something that is not a JPEG for image … (N bytes, content-type image/jpeg)"
            ),
        ]
        for c in cases {
            let result = try await h.download(c.arguments)
            #expect(result.status == 1, "\(c.arguments): \(result.transcript)")
            #expect(result.stdout.contains(c.line), "\(c.arguments): \(result.stdout)")
            #expect(result.stdout.contains("failed: " + c.arguments[0]), "\(c.arguments)")
            #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Backtrace"))
            #expect(
                try await TarListing.sha256(item: h.item("alice")) == archived,
                "\(c.arguments) left the archived item alone")
        }
        let unknown = try await h.download(["nobody"])
        #expect(
            unknown.stderr.contains(
                "nobody: Mapillary lists no images for this user (check the spelling); nothing was published"))
        #expect(
            !FileManager.default.fileExists(atPath: h.item("nobody"))
                && !FileManager.default.fileExists(atPath: h.item("nj")))

        // Hostile records: refused and logged, the rest archived, exit 0.
        let hostile = try await h.download(["mallory"])
        #expect(hostile.status == 0, "\(hostile.transcript)")
        let unsafe = h.mapillary.expectedImages(user: "mallory").filter { $0.hostility?.makesRecordUnsafe == true }
        let refusals = hostile.stderr.split(separator: "\n").filter {
            $0.contains("mallory: refused a record from the API")
        }
        #expect(refusals.count == unsafe.count)
        #expect(
            Set(try await TarListing.members(item: h.item("mallory")).map(\.imageID))
                == Set(h.mapillary.archivableIDs("mallory")))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: h.output).sorted()
                == ["mapillary-alice-256-webp", "mapillary-mallory-256-webp"])
        let verify = try await h.verify(h.item("alice"))
        #expect(verify.status == 0, "\(verify.transcript)")
    }

    @Test func aSecondRunForTheSameUserWhileTheFirstRunsStopsAtOnceAndDisturbsNothing() async throws {
        // 300 images one at a time, 120 ms each: the first run takes about 36 seconds, more than a loaded machine kept
        // a test's task waiting twice (16 s once); the third run, many transfers at once, finishes them in seconds.
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 300)]) { $0.cdnLatency = .milliseconds(120) }
        defer { h.close() }
        let first = try h.start(["alice", "--output", h.output, "--quality", "256", "--concurrency", "1"])
        // Watched in this process, not through the state (a state read can be seconds late on a loaded machine):
        // once the CDN served an image, the first run holds the staging lock.
        while first.isRunning && h.mapillary.counters.imagesServed == 0 { try await Task.sleep(for: .milliseconds(5)) }
        try #require(first.isRunning, "the first run is downloading")
        let second = try await h.download(["alice"])
        #expect(first.isRunning, "the second run ended while the first still runs")
        #expect(second.status == 1, "\(second.transcript)")
        #expect(
            second.stdout.contains(
                "FAILED: another mapillary-archiver process is already working on \(h.cache)/mapillary-alice-256-webp; wait for it to finish"
            ))
        // The first run is interrupted (Ctrl-C) and finished by a third: the second disturbed nothing.
        first.send(SIGINT)
        _ = await first.wait()
        let done = try await h.download(["alice"])
        #expect(done.status == 0, "\(done.transcript)")
        #expect(
            Set(try await TarListing.members(item: h.item("alice")).map(\.imageID))
                == Set(h.mapillary.archivableIDs("alice")))
        let verify = try await h.verify(h.item("alice"))
        #expect(verify.status == 0, "\(verify.transcript)")
    }

    @Test func severalUsersInOneRunAFailedOneIsListedAtTheEndAndTheOthersArePublished() async throws {
        let h = try CLIHarness(users: [.init(name: "alice", imageCount: 8), .init(name: "bob", imageCount: 6)])
        defer { h.close() }
        let list = h.temp.file("users.txt")
        try Data("# contributors\nbob\n\n".utf8).write(to: URL(fileURLWithPath: list))
        let result = try await h.download(["alice", "nobody", "--users-file", list])
        #expect(result.status == 1, "\(result.transcript)")
        let rows = result.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first?.hasPrefix("user ") == true)
        #expect(rows.contains { $0.hasPrefix("alice ") && $0.contains("published " + h.item("alice")) })
        #expect(rows.contains { $0.hasPrefix("bob ") && $0.contains("published " + h.item("bob")) })
        #expect(rows.contains { $0.hasPrefix("nobody ") && $0.contains("no images") })
        #expect(rows.last == "failed: nobody")
        for user in ["alice", "bob"] {
            #expect(
                Set(try await TarListing.members(item: h.item(user)).map(\.imageID))
                    == Set(h.mapillary.archivableIDs(user)))
        }
    }
}
