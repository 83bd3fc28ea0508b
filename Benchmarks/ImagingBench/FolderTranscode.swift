import Foundation
import Imaging
import Synchronization

/// `imaging-bench transcode`: the CPU limit of a download. The listed JPEGs are read into memory first, then
/// transcoded (decode, EXIF merge, WebP encode, or EXIF merge alone with `--no-webp`) on `--threads` threads with no
/// I/O at all. Prints one JSON object: images, wall and CPU seconds, and the throughput the cores could reach if they
/// did nothing else (`images / (cpu seconds / cores)`).
///
/// usage: imaging-bench transcode [--threads N] [--no-webp] [--quality Q] [--list FILE] [JPEG or folder...]
/// (`--list` names one file per line; a file may repeat, as the sandbox cycles a folder of real photos.)
struct FolderTranscode {
    var threads = ProcessInfo.processInfo.activeProcessorCount
    var webp = true
    var quality: Float = 75
    var paths: [String] = []

    init(_ arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--threads": threads = max(1, Int(iterator.next() ?? "") ?? threads)
            case "--no-webp": webp = false
            case "--quality": quality = Float(iterator.next() ?? "") ?? quality
            case "--list":
                let list = try String(contentsOfFile: iterator.next() ?? "", encoding: .utf8)
                paths += list.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
            default: paths += try Self.expand(argument)
            }
        }
    }

    /// A folder stands for its `.jpg`/`.jpeg` files, sorted.
    static func expand(_ path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return [path]
        }
        return try FileManager.default.contentsOfDirectory(atPath: path).filter {
            let lower = $0.lowercased()
            return !lower.hasPrefix(".") && (lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg"))
        }.sorted().map { path + "/" + $0 }
    }

    func run() throws {
        guard !paths.isEmpty else {
            FileHandle.standardError.write(Data("imaging-bench transcode: no JPEGs given\n".utf8))
            exit(2)
        }
        // Each distinct file is held once; jobs refer to it by index.
        var loaded: [String: Int] = [:]
        var images: [[UInt8]] = []
        var jobs: [Int] = []
        var inputBytes = 0
        for path in paths {
            if loaded[path] == nil {
                loaded[path] = images.count
                images.append([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
            }
            let index = loaded[path]!
            jobs.append(index)
            inputBytes += images[index].count
        }
        let transcoder = ImageTranscoder(format: webp ? .webp : .jpeg, webpQuality: quality)
        let metadata = CaptureMetadata(
            make: "BenchCam", model: "Model 1", width: 4000, height: 3000,
            capturedAtMillis: 1_714_572_202_123, latitude: 52.52, longitude: 13.405,
            altitude: 34, heading: 90)
        _ = try? transcoder.transcode(images[0], metadata: metadata)  // warm-up: dynamic loader, first allocations
        let shared = Shared(images: images, jobs: jobs)
        let startCPU = cpuSeconds(RUSAGE_SELF.rawValue)
        let start = Date()
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while true {
                let next = shared.next.add(1, ordering: .relaxed).oldValue
                guard next < shared.jobs.count else { return }
                do {
                    let result = try transcoder.transcode(shared.images[shared.jobs[next]], metadata: metadata)
                    shared.outputBytes.add(result.bytes.count, ordering: .relaxed)
                } catch {
                    shared.failures.add(1, ordering: .relaxed)
                }
            }
        }
        let wall = Date().timeIntervalSince(start)
        let cpu = cpuSeconds(RUSAGE_SELF.rawValue) - startCPU
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let count = jobs.count
        let report: [String: Any] = [
            "images": count, "distinct": images.count, "threads": threads, "cores": cores,
            "format": webp ? "webp" : "jpeg", "wall_s": wall, "cpu_s": cpu,
            "input_bytes": inputBytes, "output_bytes": shared.outputBytes.load(ordering: .relaxed),
            "failures": shared.failures.load(ordering: .relaxed),
            "cpu_s_per_image": cpu / Double(count),
            "limit_images_per_s": cpu > 0 ? Double(count) / (cpu / Double(cores)) : 0,
            "wall_images_per_s": wall > 0 ? Double(count) / wall : 0,
        ]
        let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    /// Read-only inputs and the counters the worker threads share.
    private final class Shared: Sendable {
        let images: [[UInt8]]
        let jobs: [Int]
        let next = Atomic<Int>(0)
        let outputBytes = Atomic<Int>(0)
        let failures = Atomic<Int>(0)

        init(images: [[UInt8]], jobs: [Int]) {
            self.images = images
            self.jobs = jobs
        }
    }
}
