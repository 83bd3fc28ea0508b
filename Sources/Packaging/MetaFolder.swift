import Essentials

/// rip's `.meta` format: one folder per key, files `0..n-1` holding one UTF-8 value each with no
/// trailing newline, no gaps and no other files. The same layout is used for `templates/`.
public enum MetaFolder {
    /// The folder name inside an item.
    public static let name = ".meta"

    /// Reads `{item}/.meta`; nil when the item has none.
    public static func read(item: String) throws -> ItemMetadata? {
        guard try FileTree.entry(item + "/" + name) != nil else { return nil }
        return try read(folder: item + "/" + name)
    }

    /// Reads a folder in the `.meta` layout. Keys come back sorted bytewise, values by index;
    /// trailing newlines are dropped from values, as rip does. Any problem throws (see ``problems(folder:)``).
    public static func read(folder: String) throws -> ItemMetadata {
        let (metadata, problems) = scan(folder: folder)
        if let first = problems.first {
            let more = problems.count > 1 ? " (and \(problems.count - 1) more problems)" : ""
            throw PackagingError(.badMetadata, first + more)
        }
        return metadata
    }

    /// Every problem of a folder in the `.meta` layout, one sentence each naming the file; empty when well-formed.
    public static func problems(folder: String) -> [String] {
        scan(folder: folder).problems
    }

    /// Writes `metadata` as `{item}/.meta`, replacing an existing one: written beside it in
    /// `.meta.tmp-…`, then renamed into place. Values with trailing newlines lose them (rip drops
    /// them anyway); empty values are skipped.
    public static func write(_ metadata: ItemMetadata, toItem item: String) throws {
        for leftover in try FileTree.names(in: item)
        where leftover.hasPrefix(name + ".tmp-") || leftover.hasPrefix(name + ".old-") {
            try FileTree.removeTree(item + "/" + leftover)
        }
        let suffix = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let temp = item + "/" + name + ".tmp-" + suffix
        let target = item + "/" + name
        do {
            try write(metadata, intoNewFolder: temp)
        } catch {
            try? FileTree.removeTree(temp)
            throw error
        }
        if try FileTree.entry(target) != nil {
            let old = item + "/" + name + ".old-" + suffix
            guard rename(target, old) == 0 else {
                let code = errno
                try? FileTree.removeTree(temp)
                throw FileError(operation: "rename", path: target, errno: code)
            }
            guard rename(temp, target) == 0 else {
                let code = errno
                _ = rename(old, target)
                try? FileTree.removeTree(temp)
                throw FileError(operation: "rename", path: temp, errno: code)
            }
            try FileTree.removeTree(old)
        } else {
            guard rename(temp, target) == 0 else {
                let code = errno
                try? FileTree.removeTree(temp)
                throw FileError(operation: "rename", path: temp, errno: code)
            }
        }
        try FileTree.syncDirectory(item)
    }

    /// Writes the layout into `folder`, which must not exist yet.
    static func write(_ metadata: ItemMetadata, intoNewFolder folder: String) throws {
        try FileTree.makeDirectory(folder)
        for field in metadata.fields {
            guard ItemMetadata.isValidKey(field.key) else {
                throw PackagingError(
                    .badMetadata,
                    "the metadata key '\(MemberName.printable(field.key))' is not allowed; \(ItemMetadata.keyRule)")
            }
            var values: [[UInt8]] = []
            for value in field.values {
                guard ItemMetadata.isValidValue(value) else {
                    throw PackagingError(.badMetadata, "the value of '\(field.key)' contains a NUL byte; remove it")
                }
                var bytes = Array(value.utf8)
                while bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
                if !bytes.isEmpty { values.append(bytes) }
            }
            guard !values.isEmpty else { continue }
            let keyFolder = folder + "/" + field.key
            try FileTree.makeDirectory(keyFolder)
            for (index, bytes) in values.enumerated() {
                try FileTree.writeNewFile(keyFolder + "/" + String(index), bytes)
            }
            try FileTree.syncDirectory(keyFolder)
        }
        try FileTree.syncDirectory(folder)
    }

    /// Reads what can be read and lists every problem.
    private static func scan(folder: String) -> (ItemMetadata, problems: [String]) {
        let shown = folder
        var problems: [String] = []
        var fields: [MetaField] = []
        let keys: [String]
        do {
            guard try FileTree.followedEntry(folder)?.kind == .directory else {
                return (ItemMetadata(), ["\(shown) is missing or not a folder; write the item's metadata there"])
            }
            keys = try FileTree.names(in: folder)
        } catch {
            return (ItemMetadata(), ["\(shown) cannot be read: \(error)"])
        }
        for key in keys {
            let keyPath = folder + "/" + key
            guard ItemMetadata.isValidKey(key) else {
                problems.append(
                    "\(MemberName.printable(keyPath)): '\(MemberName.printable(key))' is not a valid key name (\(ItemMetadata.keyRule))"
                )
                continue
            }
            guard FileTree.kind(keyPath) == .directory else {
                problems.append("\(keyPath): a stray file where only key folders belong; remove it")
                continue
            }
            guard let names = try? FileTree.names(in: keyPath) else {
                problems.append("\(keyPath): the folder cannot be read")
                continue
            }
            var indexed: [Int: String] = [:]
            for valueName in names {
                let valuePath = keyPath + "/" + valueName
                guard let index = valueIndex(valueName) else {
                    problems.append(
                        "\(MemberName.printable(valuePath)): a stray entry; only files named 0, 1, 2… belong here")
                    continue
                }
                guard FileTree.kind(valuePath) == .file else {
                    problems.append("\(valuePath): not a regular file; each value must be a file")
                    continue
                }
                guard var bytes = try? FileTree.readFile(valuePath) else {
                    problems.append("\(valuePath): cannot be read (or is larger than 16 MB)")
                    continue
                }
                // Trailing line feeds go, as rip's `$(cat …)` drops them (a CR before one stays).
                while bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    problems.append("\(valuePath): not valid UTF-8 text; save it as UTF-8")
                    continue
                }
                guard ItemMetadata.isValidValue(text) else {
                    problems.append("\(valuePath): contains a NUL byte, which IA cannot store; remove it")
                    continue
                }
                indexed[index] = text
            }
            if names.isEmpty { problems.append("\(keyPath): the key has no values; add a file 0 or remove the folder") }
            // Gaps below the last value, from the numbered names: a value named 2147483647 costs no more than 1.
            let last = indexed.keys.max() ?? -1
            var next = 0
            for number in Set(names.compactMap(valueIndex)).sorted() where number <= last {
                if number > next {
                    let gap = number - 1 > next ? "\(next)…\(number - 1)" : "\(next)"
                    problems.append("\(keyPath)/\(gap): missing; values must be numbered 0, 1, 2… without gaps")
                }
                next = number + 1
            }
            fields.append(MetaField(key: key, values: indexed.keys.sorted().compactMap { indexed[$0] }))
        }
        return (ItemMetadata(fields), problems)
    }

    /// The index a value file's name gives (`0`, `1`, … without leading zeros or signs); nil for any other name.
    private static func valueIndex(_ name: String) -> Int? {
        guard let index = Int(name), String(index) == name, index >= 0 else { return nil }
        return index
    }
}
