import ArgumentParser
import Campaign
import CampaignPage
import Foundation
import InternetArchive

/// `queue serve`: the live campaign page (docs/campaigns.md).
struct QueueServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a live page of the campaign: counts, running jobs, throughput, failures, items finished.",
        discussion: """
            One read-only HTML page that refreshes itself, and the same numbers as JSON at /status.json. It listens on 127.0.0.1 (this machine only) unless --listen says otherwise, and runs until Ctrl-C or SIGTERM.
              mapillary-archiver queue serve                   # http://127.0.0.1:8080/
              mapillary-archiver queue serve --port 9000 --queue campaign.sqlite
              mapillary-archiver queue serve --listen 0.0.0.0  # other machines too
            Warning: with --listen, anyone who can reach the port reads the page (usernames, error sentences); it has no password, so keep it behind a firewall or a proxy that asks for one. The queue's URL and password are never shown.
            """)

    @Option(help: ArgumentHelp("The port to listen on (0: any free port, printed at start).", valueName: "port"))
    var port = 8080

    @Option(
        help: ArgumentHelp(
            "The address to listen on: 127.0.0.1 (default, this machine only), 0.0.0.0 or :: (every network), or one address of this machine.",
            valueName: "address"))
    var listen = "127.0.0.1"

    @Option(
        help: ArgumentHelp("Internet Archive site the finished items link to. Env: IA_ARCHIVE_URL.", valueName: "url"))
    var archiveURL: String?

    @OptionGroup var queue: QueueOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535, not \(port)") }
        guard CampaignPageOptions.isListenAddress(listen) else {
            throw ValidationError(
                "--listen must be a numeric address of this machine (127.0.0.1, 0.0.0.0, ::1, ::), not '\(listen)'")
        }
    }

    func run() async throws {
        var options = CampaignPageOptions()
        options.listen = listen
        options.port = port
        options.archiveURL =
            IAEndpoints(
                archive: archiveURL ?? IAEndpoints.from(environment: ProcessInfo.processInfo.environment).archive
            ).archive
        guard options.archiveURL.hasPrefix("https://") || options.archiveURL.hasPrefix("http://") else {
            throw ValidationError(
                "the archive URL must start with https:// or http://, not '\(options.archiveURL)' (--archive-url, IA_ARCHIVE_URL)"
            )
        }
        let jobs = try queue.open(create: false)
        defer { jobs.close() }
        let page: CampaignPageServer
        do {
            page = try CampaignPageServer(queue: jobs, options: options)
        } catch let error as CampaignPageError {
            Main.printError(error.description)
            throw ExitCode(1)
        }
        print("serving the campaign page at \(page.baseURL)/ (read-only; Ctrl-C stops it)")
        if !CampaignPageOptions.isLoopback(listen) {
            let warning =
                "warning: the campaign page listens on \(listen) port \(page.port): anyone who can reach it reads it (usernames, error sentences), and it has no password; keep it behind a firewall or a proxy that asks for one\n"
            try? FileHandle.standardError.write(contentsOf: Data(warning.utf8))
        }
        fflush(nil)
        await CommandSupport.withInterruptHandling {
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        }
        page.stop()
    }
}
