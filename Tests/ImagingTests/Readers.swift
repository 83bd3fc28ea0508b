import Foundation
import TestSupport

/// Writes bytes to a file in `directory` and returns the path.
func write(_ bytes: [UInt8], _ name: String, in directory: TemporaryDirectory) throws -> String {
    let path = directory.file(name)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

/// Runs `webpinfo` on a file: it must exit 0 and report no warnings or errors.
func webpinfoAccepts(_ path: String) throws -> (ok: Bool, report: String) {
    let result = try ExternalTool.run("webpinfo", [path])
    let report = result.stdout + result.stderr
    let clean =
        result.ok && !report.localizedCaseInsensitiveContains("warning")
        && report.contains("No error detected")
    return (clean, report)
}

/// Pixels decoded by libwebp's `dwebp` (for WebP files) or by cwebp's libjpeg reader (for JPEGs, via lossless WebP).
struct DecodedImage {
    let width: Int
    let height: Int
    let rgb: [UInt8]

    static func decode(_ path: String, scratch: TemporaryDirectory) throws -> DecodedImage {
        var webp = path
        if !path.hasSuffix(".webp") {
            webp = scratch.file("lossless-\(UUID().uuidString).webp")
            let made = try ExternalTool.run("cwebp", ["-quiet", "-lossless", "-exact", "-z", "0", path, "-o", webp])
            guard made.ok else { throw TestFailure("cwebp could not read \(path): \(made.stderr)") }
        }
        let ppm = scratch.file("decoded-\(UUID().uuidString).ppm")
        let decoded = try ExternalTool.run("dwebp", ["-quiet", webp, "-ppm", "-o", ppm])
        guard decoded.ok else { throw TestFailure("dwebp could not decode \(webp): \(decoded.stderr)") }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ppm)))
        // P6\n<w> <h>\n255\n<data>
        var fields: [Int] = [], index = 2, current = ""
        while fields.count < 3, index < bytes.count {
            let c = bytes[index]
            if c >= 0x30 && c <= 0x39 {
                current.append(Character(UnicodeScalar(c)))
            } else if !current.isEmpty {
                fields.append(Int(current)!); current = ""
            }
            index += 1
        }
        guard fields.count == 3 else { throw TestFailure("bad PPM from dwebp") }
        return DecodedImage(width: fields[0], height: fields[1], rgb: Array(bytes[index...]))
    }

    /// Mean absolute difference per channel against `other` of the same size.
    func meanDifference(to other: [UInt8]) -> Double {
        guard other.count == rgb.count, !rgb.isEmpty else { return .infinity }
        var total = 0
        for index in 0..<rgb.count { total += abs(Int(rgb[index]) - Int(other[index])) }
        return Double(total) / Double(rgb.count)
    }

    func pixel(_ x: Int, _ y: Int) -> (Int, Int, Int) {
        let at = (y * width + x) * 3
        return (Int(rgb[at]), Int(rgb[at + 1]), Int(rgb[at + 2]))
    }
}
