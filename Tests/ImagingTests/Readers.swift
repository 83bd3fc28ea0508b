import Foundation
import TestSupport

/// Tags of one file as exiftool reads them (`exiftool -j -n -G1 -a`), keyed `Group:Tag`.
struct ExifToolTags {
    let values: [String: Any]

    /// Reads every file in one exiftool run.
    static func read(_ paths: [String]) throws -> [ExifToolTags] {
        let result = try ExternalTool.run("exiftool", ["-j", "-n", "-G1", "-a"] + paths)
        guard let data = result.stdout.data(using: .utf8),
              let array = try JSONSerialization.jsonObject(with: data) as? [[String: Any]], array.count == paths.count
        else { throw TestFailure("exiftool gave no JSON: \(result.stderr)") }
        return array.map { ExifToolTags(values: $0) }
    }

    static func read(_ path: String) throws -> ExifToolTags { try read([path])[0] }

    subscript(key: String) -> Any? { values[key] }

    func string(_ key: String) -> String? {
        guard let value = values[key] else { return nil }
        return "\(value)"
    }

    func double(_ key: String) -> Double? {
        if let number = values[key] as? NSNumber { return number.doubleValue }
        return (values[key] as? String).flatMap(Double.init)
    }

    /// Keys whose tag name (after the group) is `name`, e.g. every `*:Orientation`.
    func keys(named name: String) -> [String] {
        values.keys.filter { $0.hasSuffix(":" + name) }.sorted()
    }
}

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
    let clean = result.ok && !report.localizedCaseInsensitiveContains("warning")
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
            if c >= 0x30 && c <= 0x39 { current.append(Character(UnicodeScalar(c))) }
            else if !current.isEmpty { fields.append(Int(current)!); current = "" }
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
