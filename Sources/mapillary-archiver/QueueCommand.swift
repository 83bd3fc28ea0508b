import ArgumentParser
import Campaign
import Foundation
import Mapillary

/// `queue add | status | retry | remove | serve`: the campaign's work queue (docs/campaigns.md).
struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Manage a campaign's work queue: contributors waiting to be archived by workers.",
        discussion: """
            The queue is a SQLite file (one machine; the default is $XDG_DATA_HOME/mapillary-archiver/queue.sqlite, else ~/.local/share/mapillary-archiver/queue.sqlite) or a PostgreSQL database shared by several machines. Give it with --queue or the environment variable MAPILLARY_ARCHIVER_QUEUE:
              mapillary-archiver queue add alice bob --quality 2048
              export MAPILLARY_ARCHIVER_QUEUE='postgres://archiver@db.example.org/campaign'
              mapillary-archiver queue add --users-file contributors.txt --priority 5
              mapillary-archiver queue status
              mapillary-archiver queue serve      # a live page at http://127.0.0.1:8080/
            Jobs go pending -> running -> done or failed. Guide: docs/campaigns.md.
            """,
        subcommands: [QueueAdd.self, QueueReport.self, QueueRetry.self, QueueRemove.self, QueueServe.self])
}

/// `--queue`, shared by the queue commands.
struct QueueOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The queue: a SQLite file path (one machine) or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (several machines). Env: MAPILLARY_ARCHIVER_QUEUE. Default: $XDG_DATA_HOME/mapillary-archiver/queue.sqlite, else ~/.local/share/mapillary-archiver/queue.sqlite.",
            valueName: "path|url"))
    var queue: String?

    /// Opens the queue; `create`: a missing SQLite file is made (only `add` makes one).
    func open(create: Bool) throws -> JobQueue {
        try JobQueue(QueueLocation.resolve(queue, environment: ProcessInfo.processInfo.environment), create: create)
    }
}

struct QueueAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Queue contributors to be archived.",
        discussion: """
            A contributor already pending, running or done at that quality and format is reported, not added twice; --again queues a done one once more (an update run that fetches their new images). A failed one is queued again. Nothing is added when a username is refused.
              mapillary-archiver queue add alice bob
              mapillary-archiver queue add --users-file contributors.txt --quality 2048 --no-webp
              mapillary-archiver queue add alice --again --priority 10
            """)

    @Argument(help: ArgumentHelp("Mapillary usernames.", valueName: "username"))
    var usernames: [String] = []

    @Option(help: ArgumentHelp("A file with one username per line (# comments allowed).", valueName: "file"))
    var usersFile: String?

    @Option(help: ArgumentHelp("Image size.", valueName: "quality"))
    var quality = Choice(Quality.original)

    @Flag(help: "Keep JPEGs instead of converting to WebP.")
    var noWebp = false

    @Option(help: ArgumentHelp("Higher runs first; equal priorities run in the order added.", valueName: "n"))
    var priority = 0

    @Flag(help: "Queue contributors that are done once more, for an update run.")
    var again = false

    @OptionGroup var queue: QueueOptions

    func validate() throws {
        _ = try quality.value(of: "--quality")
    }

    func run() throws {
        var users = usernames
        if let usersFile { users += try Download.readUsers(usersFile) }
        guard !users.isEmpty else { throw ValidationError("give at least one Mapillary username (or --users-file)") }
        let quality = try quality.value(of: "--quality").rawValue
        for user in users {
            if let problem = MapillaryUsername.problem(user) { throw ValidationError(problem + "; nothing was added") }
        }
        let jobs = try queue.open(create: true)
        defer { jobs.close() }
        let specs = users.map { JobSpec(username: $0, quality: quality, webp: !noWebp, priority: priority) }
        let outcomes = try jobs.add(specs, again: again)
        var added = 0, requeued = 0, kept = 0
        for (spec, outcome) in zip(specs, outcomes) {
            switch outcome {
            case .added: added += 1
            case .requeued(let state):
                requeued += 1
                print("\(spec.label) was \(state.rawValue): queued again")
            case .alreadyQueued(let state):
                kept += 1
                print(
                    "\(spec.label) is already \(state.rawValue)"
                        + (state == .done ? " (--again queues it once more)" : ""))
            }
        }
        print("\(added) added, \(requeued) queued again, \(kept) already in the queue (\(jobs.displayName))")
    }
}

/// `queue status`: named so as not to hide Campaign's `QueueStatus`.
struct QueueReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the queue: jobs per state, running jobs, recent failures, pace and time left.",
        discussion: """
            Running jobs show their worker, host and heartbeat age; a job whose lease ran out goes to the next worker that asks. The pace is that of the jobs finished in the last hour; the time left assumes it holds. --json prints the same for scripts (its shape is in docs/campaigns.md).
              mapillary-archiver queue status
              mapillary-archiver queue status --json --queue postgres://archiver@db.example.org/campaign
            """)

    @Flag(help: "Print JSON for scripts.")
    var json = false

    @Option(help: ArgumentHelp("How many recent failures to list.", valueName: "n"))
    var failures = 10

    @OptionGroup var queue: QueueOptions

    func run() throws {
        let jobs = try queue.open(create: false)
        defer { jobs.close() }
        let status = try jobs.status(failures: max(0, failures))
        print(json ? status.json() : status.table(), terminator: json ? "\n" : "")
    }
}

struct QueueRetry: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Queue failed contributors again, with their attempts reset.",
        discussion: """
              mapillary-archiver queue retry alice      # alice's failed jobs
              mapillary-archiver queue retry --failed   # every failed job
            """)

    @Argument(help: ArgumentHelp("Usernames whose failed jobs to retry.", valueName: "username"))
    var usernames: [String] = []

    @Flag(help: "Retry every failed job.")
    var failed = false

    @OptionGroup var queue: QueueOptions

    func validate() throws {
        if usernames.isEmpty == !failed { throw ValidationError("give usernames or --failed (not both)") }
    }

    func run() throws {
        let jobs = try queue.open(create: false)
        defer { jobs.close() }
        let changed = try jobs.retry(usernames: failed ? nil : usernames)
        for change in changed { print("\(change.spec.label): queued again") }
        for user in usernames where !changed.contains(where: { $0.spec.username == user }) {
            print("\(user) has no failed job")
        }
        print("\(changed.count) queued again (\(jobs.displayName))")
    }
}

struct QueueRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove contributors' jobs from the queue, whatever their state.",
        discussion: """
            A worker running a removed job stops it at its next heartbeat or check; what it had downloaded stays in its cache.
              mapillary-archiver queue remove alice bob
            """)

    @Argument(help: ArgumentHelp("Usernames to remove.", valueName: "username"))
    var usernames: [String] = []

    @OptionGroup var queue: QueueOptions

    func validate() throws {
        if usernames.isEmpty { throw ValidationError("give the usernames to remove") }
    }

    func run() throws {
        let jobs = try queue.open(create: false)
        defer { jobs.close() }
        let removed = try jobs.remove(usernames: usernames)
        for change in removed {
            let holder = change.previous == .running ? " (it stops on \(change.worker ?? "its worker"))" : ""
            print("\(change.spec.label): removed, was \(change.previous.rawValue)\(holder)")
        }
        for user in usernames where !removed.contains(where: { $0.spec.username == user }) {
            print("\(user) is not in the queue")
        }
        print("\(removed.count) removed (\(jobs.displayName))")
    }
}
