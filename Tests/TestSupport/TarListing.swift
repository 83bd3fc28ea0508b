import Foundation

/// One tar member as Python's `tarfile` reads it: never the code under test.
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

/// The tars of an item read by independent readers: Python's `tarfile` for the members, GNU tar and bsdtar
/// for the names.
public enum TarListing {
    private static let pythonLister = """
    import hashlib, json, os, sys, tarfile
    out = []
    folder = sys.argv[1]
    for tar in sorted(n for n in os.listdir(folder) if n.endswith(".tar")):
        with tarfile.open(os.path.join(folder, tar), "r:") as t:
            for m in t:
                data = t.extractfile(m).read() if m.isfile() else b""
                out.append(dict(tar=tar, name=m.name, size=m.size, uid=m.uid, gid=m.gid, uname=m.uname,
                                gname=m.gname, mode=m.mode, mtime=int(m.mtime),
                                md5=hashlib.md5(data).hexdigest(), isFile=m.isfile()))
    print(json.dumps(out))
    """

    /// Every member of every top-level `*.tar` of `item`, tars in name order, members in tar order.
    public static func members(item: String) async throws -> [TarListingMember] {
        let result = try await ExternalTool.runDetached("python3", ["-c", pythonLister, item])
        guard result.ok else { throw TarListingError(message: "python tarfile failed on \(item): \(result.stderr)") }
        return try JSONDecoder().decode([TarListingMember].self, from: Data(result.stdout.utf8))
    }

    /// Member names as GNU tar lists them (throws on a damaged tar).
    public static func gnuNames(_ tar: String) async throws -> [String] {
        let result = try await ExternalTool.runDetached("tar", ["--list", "--file", tar])
        guard result.ok else { throw TarListingError(message: "GNU tar failed on \(tar): \(result.stderr)") }
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// Member names as bsdtar lists them (throws on a damaged tar).
    public static func bsdNames(_ tar: String) async throws -> [String] {
        let result = try await ExternalTool.runDetached("bsdtar", ["-tf", tar])
        guard result.ok else { throw TarListingError(message: "bsdtar failed on \(tar): \(result.stderr)") }
        return result.stdout.split(separator: "\n").map(String.init)
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
