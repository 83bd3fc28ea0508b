// imaging-bench: in-process JPEG→WebP (ImageTranscoder) against `cwebp -q Q -m 4 -metadata all`, CPU seconds per
// image and output size ratio. Built only when MAPILLARY_ARCHIVER_BENCH is set (see scripts/bench-imaging.sh).
//
// usage: imaging-bench [--count N] [--quality Q] [--sizes 1024x768,2048x1536,4000x3000] [--work DIR] [JPEG...]
//        imaging-bench transcode [--threads N] [--no-webp] [--quality Q] [--list FILE] [JPEG or folder...]
//        (the CPU limit of a download, for scripts/bench.sh: see FolderTranscode.swift)
import Foundation
import Imaging

struct Options {
    var count = 5
    var quality: Float = 75
    var sizes = [(1024, 768), (2048, 1536), (4000, 3000)]
    var work = NSTemporaryDirectory() + "imaging-bench"
    var photos: [String] = []

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--count": count = Int(iterator.next() ?? "") ?? count
            case "--quality": quality = Float(iterator.next() ?? "") ?? quality
            case "--work": work = iterator.next() ?? work
            case "--sizes":
                sizes = (iterator.next() ?? "").split(separator: ",").compactMap { pair in
                    let parts = pair.split(separator: "x").compactMap { Int($0) }
                    return parts.count == 2 ? (parts[0], parts[1]) : nil
                }
            default: photos.append(argument)
            }
        }
    }
}

/// User plus system CPU seconds of this process (`RUSAGE_SELF`) or of its waited-for children.
func cpuSeconds(_ who: Int32) -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(who), &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1_000_000 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

func cameraJPEG(width: Int, height: Int, seed: UInt32) throws -> [UInt8] {
    var exif = ExifBuilder()
    exif[.make] = .ascii("BenchCam")
    exif[.model] = .ascii("Model 1")
    exif[.dateTimeOriginal] = .ascii("2024:05:01 14:03:22")
    exif[.exposureTime] = .rational([ExifRational(1, 250)])
    exif[.fNumber] = .rational([ExifRational(28, 10)])
    exif[.isoSpeed] = .short([100])
    exif[.orientation] = .short([1])
    let pixels = PhotoLikeImage.rgb(width: width, height: height, seed: seed)
    return try JPEGEncoder.encode(
        rgb: pixels, width: width, height: height, quality: 90,
        segments: [try exif.app1Segment()])
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

func runCwebp(_ input: String, _ output: String, quality: Float) throws -> Double {
    let before = cpuSeconds(RUSAGE_CHILDREN.rawValue)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["cwebp", "-quiet", "-q", "\(quality)", "-m", "4", "-metadata", "all", input, "-o", output]
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    return cpuSeconds(RUSAGE_CHILDREN.rawValue) - before
}

func bench(name: String, jpeg: [UInt8], options: Options) throws {
    let input = options.work + "/\(name).jpg", reference = options.work + "/\(name).cwebp.webp"
    try Data(jpeg).write(to: URL(fileURLWithPath: input))
    let transcoder = ImageTranscoder(format: .webp, webpQuality: options.quality)
    let metadata = CaptureMetadata(
        make: "BenchCam", model: "Model 1", width: 4000, height: 3000,
        capturedAtMillis: 1_714_572_202_123, latitude: 52.52, longitude: 13.405,
        altitude: 34, heading: 90)
    var ours: [UInt8] = []
    _ = try transcoder.transcode(jpeg, metadata: metadata)  // warm-up
    _ = try runCwebp(input, reference, quality: options.quality)  // warm-up (page cache, dynamic loader)
    // Interleaved runs, median of each: other load on the machine hits both sides alike.
    var oursRuns: [Double] = [], theirsRuns: [Double] = []
    for _ in 0..<options.count {
        let start = cpuSeconds(RUSAGE_SELF.rawValue)
        ours = try transcoder.transcode(jpeg, metadata: metadata).bytes
        oursRuns.append(cpuSeconds(RUSAGE_SELF.rawValue) - start)
        theirsRuns.append(try runCwebp(input, reference, quality: options.quality))
    }
    let oursCPU = median(oursRuns), theirsCPU = median(theirsRuns)
    let theirs = try Data(contentsOf: URL(fileURLWithPath: reference))
    try Data(ours).write(to: URL(fileURLWithPath: options.work + "/\(name).ours.webp"))
    let label = name.count < 30 ? name + String(repeating: " ", count: 30 - name.count) : name
    let line = String(
        format: "%@ %9.4f s %9.4f s   cpu %5.2f×   size %8d / %8d = %6.3f",
        label as NSString, oursCPU, theirsCPU, oursCPU / theirsCPU, ours.count, theirs.count,
        Double(ours.count) / Double(theirs.count))
    print(line)
    fflush(nil)
}

if CommandLine.arguments.dropFirst().first == "transcode" {
    try FolderTranscode(Array(CommandLine.arguments.dropFirst(2))).run()
    exit(0)
}
let options = Options(Array(CommandLine.arguments.dropFirst()))
try FileManager.default.createDirectory(atPath: options.work, withIntermediateDirectories: true)
print(
    "CPU seconds per image (median of \(options.count) interleaved runs), cwebp -q \(options.quality) -m 4 -metadata all"
)
print("image                           ours        cwebp       ratio       size ours / cwebp (bytes)")
for (index, (width, height)) in options.sizes.enumerated() {
    try bench(
        name: "synthetic-\(width)x\(height)",
        jpeg: try cameraJPEG(width: width, height: height, seed: UInt32(index + 1)), options: options)
}
for path in options.photos {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let name =
        URL(fileURLWithPath: path).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().lastPathComponent + "-" + URL(fileURLWithPath: path).lastPathComponent
    try bench(name: String(name.prefix(28)), jpeg: bytes, options: options)
}
