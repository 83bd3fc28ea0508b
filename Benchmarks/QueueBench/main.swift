import Campaign
import Foundation
import Synchronization

/// `queue-bench`: claim-and-complete throughput of the campaign queue with empty work. Adds `--jobs` jobs to a
/// fresh queue, then `--workers` threads, each with its own connection (as separate worker processes or machines
/// would have), claim and complete until the queue is empty. A last pass with one worker times single claims.
/// Prints one JSON object per backend.
///
/// usage: queue-bench [--jobs N] [--workers N] [--sqlite DIR] [--postgres URL]...
/// (`--postgres` names an administrator's URL; each run makes and drops a database of its own.)
struct QueueBench {
    var jobs = 10_000
    var workers = [1, 4]
    var sqliteFolder: String?
    var postgres: String?

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--jobs": jobs = Int(iterator.next() ?? "") ?? jobs
            case "--workers": workers = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--sqlite": sqliteFolder = iterator.next()
            case "--postgres": postgres = iterator.next()
            default:
                fatalError(
                    "unknown argument \(argument); usage: queue-bench [--jobs N] [--workers 1,4] [--sqlite DIR] [--postgres URL]"
                )
            }
        }
    }

    func run() throws {
        var targets: [(String, () throws -> (QueueLocation, () -> Void))] = []
        if let sqliteFolder {
            targets.append(
                (
                    "sqlite",
                    {
                        let path = sqliteFolder + "/queue-bench-\(getpid())-\(UUID().uuidString.prefix(8)).sqlite"
                        return (
                            .sqlite(path: path),
                            {
                                for suffix in ["", "-wal", "-shm"] {
                                    try? FileManager.default.removeItem(atPath: path + suffix)
                                }
                            }
                        )
                    }
                ))
        }
        if let postgres {
            targets.append(
                (
                    "postgres",
                    {
                        let name = "queue_bench_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
                        try Self.psql(postgres, "CREATE DATABASE \(name)")
                        var components = URLComponents(string: postgres)!
                        components.path = "/" + name
                        return (
                            .postgres(url: components.string!),
                            { try? Self.psql(postgres, "DROP DATABASE \(name) WITH (FORCE)") }
                        )
                    }
                ))
        }
        for (backend, make) in targets {
            for count in workers {
                let (location, cleanUp) = try make()
                defer { cleanUp() }
                print(try measure(backend: backend, location: location, workers: count))
                try? FileHandle.standardOutput.synchronize()
            }
        }
    }

    /// One run: add, drain with `workers` threads, then time single claims on a small refill.
    func measure(backend: String, location: QueueLocation, workers: Int) throws -> String {
        let queue = try JobQueue(location)
        defer { queue.close() }
        let specs = (0..<jobs).map { JobSpec(username: "user\($0)", quality: "original", webp: true) }
        let addStart = ContinuousClock.now
        _ = try queue.add(specs)
        let addSeconds = (ContinuousClock.now - addStart).seconds

        let done = Atomic<Int>(0)
        let failure = Mutex<String?>(nil)
        let connections = try (0..<workers).map { _ in try JobQueue(location) }
        let group = DispatchGroup()
        let start = ContinuousClock.now
        for (index, connection) in connections.enumerated() {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    while let job = try connection.claim(worker: "bench-\(index)", host: "bench") {
                        try connection.complete(
                            job,
                            result: JobResult(identifier: "x", images: 0, bytes: 0, uploaded: false, verified: false))
                        done.add(1, ordering: .relaxed)
                    }
                } catch {
                    failure.withLock { $0 = "\(error)" }
                }
            }.start()
        }
        group.wait()
        let seconds = (ContinuousClock.now - start).seconds
        connections.forEach { $0.close() }
        if let message = failure.withLock({ $0 }) { throw BenchError(message: message) }

        // Single-call latency: one worker, 1,000 more jobs queued behind the done ones.
        _ = try queue.add((0..<1000).map { JobSpec(username: "again\($0)", quality: "original", webp: true) })
        var claims: [Double] = [], completes: [Double] = []
        while true {
            let claimStart = ContinuousClock.now
            guard let job = try queue.claim(worker: "bench", host: "bench") else { break }
            let completeStart = ContinuousClock.now
            try queue.complete(
                job, result: JobResult(identifier: "x", images: 0, bytes: 0, uploaded: false, verified: false))
            claims.append((completeStart - claimStart).seconds * 1000)
            completes.append((ContinuousClock.now - completeStart).seconds * 1000)
        }
        let completed = done.load(ordering: .relaxed)
        return String(
            format:
                #"{"backend": "%@", "workers": %d, "jobs": %d, "add_seconds": %.2f, "drain_seconds": %.2f, "jobs_per_second": %.0f, "claim_ms_median": %.2f, "claim_ms_p99": %.2f, "complete_ms_median": %.2f, "complete_ms_p99": %.2f}"#,
            backend, workers, completed, addSeconds, seconds, Double(completed) / seconds,
            Self.percentile(claims, 0.5), Self.percentile(claims, 0.99), Self.percentile(completes, 0.5),
            Self.percentile(completes, 0.99))
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    static func psql(_ url: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError(message: "psql failed on \(sql)") }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

do {
    try QueueBench(Array(CommandLine.arguments.dropFirst())).run()
} catch {
    FileHandle.standardError.write(Data("queue-bench: \(error)\n".utf8))
    exit(1)
}
