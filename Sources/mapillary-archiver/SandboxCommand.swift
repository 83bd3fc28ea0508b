import ArgumentParser
import Essentials
import Foundation
import SandboxKit

struct SandboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract:
            "Run local stand-ins for Mapillary (Graph API + CDN) and the Internet Archive (S3 + metadata + search).",
        discussion: """
            Serves on loopback until interrupted and prints the URLs, token and IA keys to use. To use it from the same shell:
              mapillary-archiver sandbox --env-file /tmp/sb.env > /tmp/sb.log &
              sleep 1; . /tmp/sb.env
            Images are real JPEGs generated per image (photo-like texture, camera EXIF), or the JPEGs of --images-from. Signed CDN URLs expire after --url-lifetime; faults, latency and rate limits can be injected to rehearse bad days. With --port P the Graph API listens on P, the CDN on P+1, IAS3 on P+2 and archive.org on P+3.
            """)

    @Option(help: ArgumentHelp("Graph API port (others follow it); 0 picks free ports.", valueName: "port"))
    var port = 0

    @Option(
        help: ArgumentHelp(
            "Contributors as NAME:COUNT[:KIND], comma-separated; KIND is one of "
                + SandboxConfiguration.UserKind.allCases.map(\.rawValue).joined(separator: ", ")
                + " (docs/sandbox.md).", valueName: "list"))
    var users = "alice:120,bob:40"

    @Option(
        help: ArgumentHelp(
            "An area populated by several contributors (mapper01, mapper02, ...), as W,S,E,N:CREATORS:IMAGES; repeat for more areas. Write --area=W,... when W is negative.",
            valueName: "area"))
    var area: [String] = []

    @Option(
        help: ArgumentHelp(
            "Area queries (bbox without creator_username) answer at most N records and no next page, as some report the real API does.",
            valueName: "n"))
    var bboxCap: Int?

    @Option(help: ArgumentHelp("Seed for the generated records and images.", valueName: "n"))
    var seed: UInt64 = 1

    @Option(
        help: ArgumentHelp(
            "The access token the Graph API accepts (default: derived from the seed).", valueName: "token"))
    var token: String?

    @Option(help: ArgumentHelp("Size of 'original' images, WIDTHxHEIGHT.", valueName: "WxH"))
    var originalSize = "2048x1536"

    @Option(help: ArgumentHelp("Serve the JPEGs of this folder (cycled) instead of generated ones.", valueName: "dir"))
    var imagesFrom: String?

    @Option(help: ArgumentHelp("Delay before each Graph API and CDN answer, in milliseconds.", valueName: "ms"))
    var latencyMs = 0

    @Option(
        help: ArgumentHelp("Fraction (0-1) of requests answered with a 5xx or a connection reset.", valueName: "rate"))
    var faultRate = 0.0

    @Option(help: ArgumentHelp("Graph API requests per second before it answers 429.", valueName: "n"))
    var rateLimit: Double?

    @Option(
        help: ArgumentHelp(
            "Answer every Nth Graph API request with 429 (the 2nd, the 2+Nth, ...), whatever the time.", valueName: "n")
    )
    var rateLimitEvery: Int?

    @Option(
        help: ArgumentHelp(
            "Records per page above which the API answers 'Please reduce the amount of data'.", valueName: "n"))
    var maxRecordsPerResponse: Int?

    @Flag(
        help:
            "Graph API errors quote the token the request carried, raw, percent-encoded and its secret part (to check that no form of it leaks)."
    )
    var echoToken = false

    @Option(help: ArgumentHelp("Lifetime of signed CDN URLs, in seconds.", valueName: "seconds"))
    var urlLifetime = 3 * 24 * 3600

    @Option(
        help: ArgumentHelp(
            "Bytes per second at which the CDN sends the chosen images of trickle users (0: the head, then nothing).",
            valueName: "n"))
    var cdnTrickleRate = 1

    @Option(
        help: ArgumentHelp(
            "Where generated images and uploaded items are kept (default: a temp folder).", valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp("IA: the next N uploads get 503 SlowDown.", valueName: "n"))
    var iaSlowDownBurst = 0

    @Option(help: ArgumentHelp("IA: fraction (0-1) of requests failed (resets, 500s).", valueName: "rate"))
    var iaFaultRate = 0.0

    @Option(help: ArgumentHelp("IA: seconds before an uploaded file shows in the metadata API.", valueName: "seconds"))
    var iaIngestDelay = 0.0

    @Option(
        help: ArgumentHelp(
            "IA: start with N Mapillary items made by this tool and by mapillary_downloader (for stats).",
            valueName: "n"))
    var iaItems = 0

    @Option(
        help: ArgumentHelp(
            "Also write the environment exports (MAPILLARY_API_URL=...) to this file.", valueName: "file"))
    var envFile: String?

    func validate() throws {
        _ = try Self.configuration(self)
    }

    func run() throws {
        let configuration = try Self.configuration(self)
        let sandbox: Sandbox
        do { sandbox = try Sandbox(configuration) } catch { throw ValidationError("\(error)") }
        print(sandbox.banner)
        if let envFile {
            let text = sandbox.environment.map { "export \($0.name)='\($0.value)'" }.joined(separator: "\n") + "\n"
            try DurableFile.write(Array(text.utf8), to: envFile)
        }
        fflush(nil)
        let stop = DispatchSemaphore(value: 0)
        for number in [SIGINT, SIGTERM] { signal(number, SIG_IGN) }
        let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            return source
        }
        stop.wait()
        sources.forEach { $0.cancel() }
        sandbox.stop()
    }

    static func configuration(_ c: SandboxCommand) throws -> SandboxConfiguration {
        var configuration = SandboxConfiguration()
        do {
            configuration.users = try c.users.split(separator: ",").map {
                try SandboxConfiguration.User(parsing: String($0))
            }
            configuration.areas = try c.area.map { try SandboxConfiguration.Area(parsing: $0) }
        } catch {
            throw ValidationError("\(error)")
        }
        let size = c.originalSize.lowercased().split(separator: "x").compactMap { Int($0) }
        guard size.count == 2, size[0] > 0, size[1] > 0 else {
            throw ValidationError("--original-size must look like 2048x1536")
        }
        configuration.originalSize = PixelSize(width: size[0], height: size[1])
        configuration.seed = c.seed
        configuration.port = c.port
        configuration.token = c.token
        configuration.imagesFrom = c.imagesFrom
        configuration.apiLatency = .milliseconds(c.latencyMs)
        configuration.cdnLatency = .milliseconds(c.latencyMs)
        configuration.faultRate = c.faultRate
        configuration.rateLimit = c.rateLimit
        configuration.rateLimitEvery = c.rateLimitEvery
        configuration.maxRecordsPerResponse = c.maxRecordsPerResponse
        configuration.bboxCap = c.bboxCap
        configuration.urlLifetime = .seconds(c.urlLifetime)
        configuration.echoTokenInErrors = c.echoToken
        configuration.dataDirectory = c.dataDir
        configuration.cdnTrickleRate = c.cdnTrickleRate
        var ia = InternetArchiveSandboxConfiguration()
        ia.slowDownBurst = c.iaSlowDownBurst
        ia.faultRate = c.iaFaultRate
        ia.ingestDelay = .milliseconds(Int(c.iaIngestDelay * 1000))
        guard c.iaItems >= 0 else { throw ValidationError("--ia-items must be 0 or more") }
        ia.items = InternetArchiveSandboxConfiguration.mapillaryItems(count: c.iaItems, seed: c.seed)
        configuration.internetArchive = ia
        return configuration
    }
}
