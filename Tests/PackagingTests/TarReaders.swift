import Foundation
import Testing
import TestSupport

/// One member as an independent reader (Python's tarfile) sees it.
struct TarMember: Decodable, Equatable {
    let name: String
    let size: Int64
    let uid: Int
    let gid: Int
    let uname: String
    let gname: String
    let mode: Int
    let mtime: Int64
    let md5: String
    let isFile: Bool
}

/// Reads tars with GNU tar, bsdtar and Python's tarfile: never with the code under test.
enum TarReaders {
    private static let pythonLister = """
    import hashlib, json, sys, tarfile
    out = []
    with tarfile.open(sys.argv[1], "r:") as t:
        for m in t:
            data = t.extractfile(m).read() if m.isfile() else b""
            out.append(dict(name=m.name, size=m.size, uid=m.uid, gid=m.gid, uname=m.uname, gname=m.gname,
                            mode=m.mode, mtime=int(m.mtime), md5=hashlib.md5(data).hexdigest(), isFile=m.isfile()))
    print(json.dumps(out))
    """

    /// Every member with owners, mode, mtime and the MD5 of its content (Python tarfile).
    static func python(_ path: String) throws -> [TarMember] {
        let result = try ExternalTool.run("python3", ["-c", pythonLister, path])
        guard result.ok else { throw ReaderError(message: "python tarfile failed on \(path): \(result.stderr)") }
        return try JSONDecoder().decode([TarMember].self, from: Data(result.stdout.utf8))
    }

    /// Member names as GNU tar lists them (fails on a damaged tar).
    static func gnuNames(_ path: String) throws -> [String] {
        let result = try ExternalTool.run("tar", ["--list", "--file", path])
        guard result.ok else { throw ReaderError(message: "GNU tar failed on \(path): \(result.stderr)") }
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// Member names as bsdtar lists them (fails on a damaged tar).
    static func bsdNames(_ path: String) throws -> [String] {
        let result = try ExternalTool.run("bsdtar", ["-tf", path])
        guard result.ok else { throw ReaderError(message: "bsdtar failed on \(path): \(result.stderr)") }
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// GNU tar's verbose listing with numeric owners: "-rw-r--r-- 0/0 …".
    static func gnuVerbose(_ path: String) throws -> [String] {
        let result = try ExternalTool.run("tar", ["--list", "--verbose", "--numeric-owner", "--file", path])
        guard result.ok else { throw ReaderError(message: "GNU tar failed on \(path): \(result.stderr)") }
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// The content of one member, extracted by bsdtar to stdout.
    static func bsdContent(_ path: String, member: String) throws -> String {
        let result = try ExternalTool.run("bsdtar", ["-xOf", path, member])
        guard result.ok else { throw ReaderError(message: "bsdtar could not extract \(member): \(result.stderr)") }
        return result.stdout
    }

    /// `md5sum` of a file.
    static func md5sum(_ path: String) throws -> String {
        let result = try ExternalTool.run("md5sum", [path])
        return String(result.stdout.prefix(32))
    }

    /// `sha256sum` of a file.
    static func sha256(_ path: String) throws -> String {
        let result = try ExternalTool.run("sha256sum", [path])
        return String(result.stdout.prefix(64))
    }
}

struct ReaderError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Small file helpers for tests.
enum Files {
    static func write(_ path: String, _ text: String) throws {
        try write(path, Array(text.utf8))
    }

    static func write(_ path: String, _ bytes: [UInt8], mtime: Int64? = nil) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        if let mtime {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: TimeInterval(mtime))],
                                                  ofItemAtPath: path)
        }
    }

    static func read(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func size(_ path: String) throws -> Int64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? -1
    }

    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    static func list(_ path: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }

    /// Deterministic pseudo-random bytes.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        var out = [UInt8]()
        out.reserveCapacity(count)
        for _ in 0..<count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            out.append(UInt8(truncatingIfNeeded: state >> 33))
        }
        return out
    }
}
