import Foundation

/// Tags of one file as exiftool reads them (`exiftool -j -n -G1 -a`), keyed `Group:Tag`: never the code under test.
public struct ExifToolTags {
    public let values: [String: Any]

    static let arguments = ["-j", "-n", "-G1", "-a"]

    /// Reads every file in one exiftool run.
    public static func read(_ paths: [String]) throws -> [ExifToolTags] {
        try parse(ExternalTool.run("exiftool", arguments + paths), count: paths.count)
    }

    public static func read(_ path: String) throws -> ExifToolTags { try read([path])[0] }

    /// Reads one file with exiftool on a thread of its own (for async tests: the cooperative pool is not blocked).
    public static func readDetached(_ path: String) async throws -> ExifToolTags {
        try parse(await ExternalTool.runDetached("exiftool", arguments + [path]), count: 1)[0]
    }

    private static func parse(_ result: ExternalTool.Result, count: Int) throws -> [ExifToolTags] {
        guard let array = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]],
            array.count == count
        else { throw TestFailure("exiftool gave no JSON: \(result.stderr)") }
        return array.map { ExifToolTags(values: $0) }
    }

    public subscript(key: String) -> Any? { values[key] }

    public func string(_ key: String) -> String? {
        guard let value = values[key] else { return nil }
        return "\(value)"
    }

    public func double(_ key: String) -> Double? {
        if let number = values[key] as? NSNumber { return number.doubleValue }
        return (values[key] as? String).flatMap(Double.init)
    }

    /// Keys whose tag name (after the group) is `name`, e.g. every `*:Orientation`.
    public func keys(named name: String) -> [String] {
        values.keys.filter { $0.hasSuffix(":" + name) }.sorted()
    }
}

/// A failure in test set-up or of an outside reader, with the reason.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
