import Foundation
@testable import Packaging

/// `meta-folder`: a `.meta` folder (rip's layout, also that of `--template-dir`) built from the input, read as
/// `package`, `upload` and `verify` read it. What reads without a problem must write back in the same layout (as
/// `package` writes it) and read the same, less what the writer leaves out: empty values and keys left without one.
///
/// The input, split at NUL bytes, is a list of path and contents pairs: `key/0` is a value file, `key/` a folder,
/// `name` a file directly in `.meta`. Empty, `.` and `..` components are dropped and names cut to 255 bytes.
enum MetaFolderTarget {
    static let meta = FuzzWorkspace.path + "/meta"
    static let copy = FuzzWorkspace.path + "/meta-copy"

    static func run(_ input: [UInt8]) {
        FuzzWorkspace.remove(meta)
        FuzzWorkspace.remove(copy)
        build(input, under: meta)
        let problems = MetaFolder.problems(folder: meta)
        require(problems.allSatisfy(isOneLine), "a .meta problem is not one line: \(problems)")
        let metadata: ItemMetadata
        do {
            metadata = try MetaFolder.read(folder: meta)
        } catch {
            require(!problems.isEmpty, "read refused a .meta in which problems found nothing")
            return
        }
        require(problems.isEmpty, "read accepted a .meta with problems: \(problems)")
        do {
            try MetaFolder.write(metadata, intoNewFolder: copy)
        } catch {
            fatalError("property broken: a .meta that reads cleanly cannot be written back: \(error)")
        }
        let kept = metadata.fields.compactMap { field -> MetaField? in
            let values = field.values.filter { !$0.isEmpty }
            return values.isEmpty ? nil : MetaField(key: field.key, values: values)
        }
        let again = try? MetaFolder.read(folder: copy)
        require(again == ItemMetadata(kept), "a .meta written back reads as other metadata")
    }

    /// The input format for `entries` (seeds).
    static func encode(_ entries: [(path: String, contents: String)]) -> [UInt8] {
        Array(entries.map { $0.path + "\0" + $0.contents }.joined(separator: "\0").utf8)
    }

    private static func build(_ input: [UInt8], under root: String) {
        _ = mkdir(root, 0o755)
        let pieces = input.split(separator: 0, omittingEmptySubsequences: false)
        for index in stride(from: 0, to: pieces.count, by: 2) {
            let components = pieces[index].split(separator: 0x2F).map { Array($0.prefix(255)) }
                .filter { $0 != [0x2E] && $0 != [0x2E, 0x2E] }.prefix(2)
            guard !components.isEmpty else { continue }
            var path = Array(root.utf8)
            for (depth, name) in components.enumerated() {
                path += [0x2F] + name
                let isFolder = depth < components.count - 1 || pieces[index].last == 0x2F
                let cPath = path.map { CChar(bitPattern: $0) } + [0]
                if isFolder {
                    _ = mkdir(cPath, 0o755)
                } else {
                    let fd = open(cPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                    guard fd >= 0 else { break }
                    let contents = index + 1 < pieces.count ? Array(pieces[index + 1]) : []
                    _ = contents.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                    close(fd)
                }
            }
        }
    }
}

/// `tar`: a tar as `verify` meets it in an item folder: listed with libarchive to its end, member names checked
/// against the archive's rules, image ids collected. Every problem it reports must stay on one line.
enum TarTarget {
    static let item: String = {
        let item = FuzzWorkspace.path + "/mapillary-fuzz-original"
        do {
            try FileTree.makeDirectory(item)
            try MetaFolder.write(ItemMetadata([MetaField(key: "title", values: ["Fuzz"])]), toItem: item)
        } catch {
            fail("cannot make the item folder for the tar target: \(error)")
        }
        return item
    }()

    static func run(_ tar: [UInt8]) {
        FuzzWorkspace.write(tar, to: item + "/2024-05-01.tar")
        let problems = ItemVerifier.verify(item: item, options: VerifyOptions(checkManifestMD5: false))
        require(problems.allSatisfy(isOneLine), "a verify problem is not one line: \(problems)")
    }
}

/// `gzip-lines`: a `metadata.jsonl.gz` as `verify` and `package` read it: line by line (with a 1 MiB line limit,
/// so long lines are refused quickly), and scanned for the capture dates. Lines that read cleanly, written again
/// with `GzipLineWriter` (as `download` writes the file), read back the same.
enum GzipLinesTarget {
    static let path = FuzzWorkspace.path + "/metadata.jsonl.gz"
    static let copy = FuzzWorkspace.path + "/copy.jsonl.gz"
    /// Decompressed bytes read from one input at most: a small input may inflate a thousandfold.
    static let maxBytes = 16 << 20

    static func run(_ gzip: [UInt8]) {
        FuzzWorkspace.write(gzip, to: path)
        _ = try? FolderPackager.captureDateRange(metadata: path)
        guard let lines = try? read(path) else { return }
        do {
            let writer = try GzipLineWriter(path: copy)
            for line in lines { try writer.append(line: line) }
            _ = try writer.finish()
        } catch {
            fatalError("property broken: lines read from a gzip file cannot be written again: \(error)")
        }
        require((try? read(copy)) == lines, "lines written with GzipLineWriter read back differently")
    }

    private static func read(_ path: String) throws -> [[UInt8]]? {
        let reader = try GzipLineReader(path: path, maxLineLength: 1 << 20)
        var lines: [[UInt8]] = []
        var total = 0
        while let line = try reader.nextLine() {
            total += line.count + 1
            if total > maxBytes { return nil }
            lines.append(line)
        }
        return lines
    }
}
