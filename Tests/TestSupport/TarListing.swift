import Foundation

/// One tar member as Python's `tarfile` reads it: never the code under test. `tar` is the tar's file name.
public struct TarListingMember: Decodable, Equatable, Sendable {
    public let tar: String
    public let name: String
    public let size: Int64
    public let uid: Int
    public let gid: Int
    public let uname: String
    public let gname: String
    public let mode: Int
    public let mtime: Int64
    public let md5: String
    public let isFile: Bool

    /// The image id of a member `{date}/{sequence}/{id}.ext` (the file name without its extension).
    public var imageID: String {
        let file = name.split(separator: "/").last.map(String.init) ?? name
        return file.split(separator: ".").first.map(String.init) ?? file
    }
}

/// Tars read by independent readers, never by the code under test: Python's `tarfile` for the members, GNU tar
/// and bsdtar for the names and contents, coreutils for digests. The readers of one tar wait for the tool; those of
/// an item run it on a thread of its own (`async`), so a test's wait never holds a thread of the cooperative pool.
public enum TarListing {
    /// Lists the tar at argv[1], or every top-level `*.tar` of the folder at argv[1] in name order.
    private static let pythonLister = """
        import hashlib, json, os, sys, tarfile
        out = []
        path = sys.argv[1]
        if os.path.isdir(path):
            tars = [os.path.join(path, n) for n in sorted(os.listdir(path)) if n.endswith(".tar")]
        else:
            tars = [path]
        for tar in tars:
            with tarfile.open(tar, "r:") as t:
                for m in t:
                    data = t.extractfile(m).read() if m.isfile() else b""
                    out.append(dict(tar=os.path.basename(tar), name=m.name, size=m.size, uid=m.uid, gid=m.gid,
                                    uname=m.uname, gname=m.gname, mode=m.mode, mtime=int(m.mtime),
                                    md5=hashlib.md5(data).hexdigest(), isFile=m.isfile()))
        print(json.dumps(out))
        """

    /// Every member of the tar at `path`, in tar order, with owners, mode, mtime and the MD5 of its content.
    public static func members(tar path: String) throws -> [TarListingMember] {
        try decodeMembers(ExternalTool.run("python3", ["-c", pythonLister, path]), path)
    }

    /// Every member of every top-level `*.tar` of `item`, tars in name order, members in tar order.
    public static func members(item: String) async throws -> [TarListingMember] {
        try decodeMembers(await ExternalTool.runDetached("python3", ["-c", pythonLister, item]), item)
    }

    private static func decodeMembers(_ result: ExternalTool.Result, _ path: String) throws -> [TarListingMember] {
        guard result.ok else { throw TarListingError(message: "python tarfile failed on \(path): \(result.stderr)") }
        return try JSONDecoder().decode([TarListingMember].self, from: Data(result.stdout.utf8))
    }

    /// Member names as GNU tar lists them (throws on a damaged tar).
    public static func gnuNames(_ tar: String) throws -> [String] {
        try lines("tar", ["--list", "--file", tar], failure: "GNU tar failed on \(tar)")
    }

    /// Member names as bsdtar lists them (throws on a damaged tar).
    public static func bsdNames(_ tar: String) throws -> [String] {
        try lines("bsdtar", ["-tf", tar], failure: "bsdtar failed on \(tar)")
    }

    /// GNU tar's verbose listing with numeric owners: "-rw-r--r-- 0/0 …".
    public static func gnuVerbose(_ tar: String) throws -> [String] {
        try lines(
            "tar", ["--list", "--verbose", "--numeric-owner", "--file", tar], failure: "GNU tar failed on \(tar)")
    }

    private static func lines(_ tool: String, _ arguments: [String], failure: String) throws -> [String] {
        let result = try ExternalTool.run(tool, arguments)
        guard result.ok else { throw TarListingError(message: "\(failure): \(result.stderr)") }
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// The content of one member, extracted by bsdtar to stdout.
    public static func bsdContent(_ tar: String, member: String) throws -> String {
        let result = try ExternalTool.run("bsdtar", ["-xOf", tar, member])
        guard result.ok else { throw TarListingError(message: "bsdtar could not extract \(member): \(result.stderr)") }
        return result.stdout
    }

    /// `md5sum` of a file.
    public static func md5sum(_ path: String) throws -> String {
        String(try ExternalTool.run("md5sum", [path]).stdout.prefix(32))
    }

    /// `sha256sum` of a file.
    public static func sha256(_ path: String) throws -> String {
        String(try ExternalTool.run("sha256sum", [path]).stdout.prefix(64))
    }

    /// `sha256sum` of every top-level file of `item` (name → digest).
    public static func sha256(item: String) async throws -> [String: String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: item).filter { !$0.hasPrefix(".") }.sorted()
        let result = try await ExternalTool.runDetached("sha256sum", names.map { item + "/" + $0 })
        guard result.ok else { throw TarListingError(message: "sha256sum failed in \(item): \(result.stderr)") }
        var digests: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            let digest = String(line.prefix(64))
            let path = String(line.dropFirst(66))
            digests[String(path.dropFirst(item.count + 1))] = digest
        }
        return digests
    }
}

/// A reader failed (the tool's stderr is in the message).
public struct TarListingError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }
}
