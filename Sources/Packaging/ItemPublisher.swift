import CRename
import Essentials

/// Publishes a finished staging folder as `{output}/{identifier}` so that the item appears whole or
/// not at all: one `rename(2)`, or, when the output is on another file system, a copy into a
/// dot-prefixed folder in the output (which rip and uploads ignore), fsync, rename, then removal
/// of the staging folder.
///
/// An existing target is refused, also one that appears at the last moment: the rename itself never replaces
/// (`renameat2(RENAME_NOREPLACE)` on Linux, `renamex_np(RENAME_EXCL)` on macOS; a check and `rename(2)` where the
/// kernel or file system has neither).
public enum ItemPublisher {
    /// Moves `staging` to `{output}/{identifier}` and returns that path. `output` is created if missing.
    public static func publish(staging: String, output: String, identifier: String) throws -> String {
        if let reason = IdentifierRule.validate(identifier) {
            throw PackagingError(.badIdentifier, reason + "; choose another identifier")
        }
        guard try FileTree.entry(staging)?.kind == .directory else {
            throw PackagingError(.misuse, "the staging folder \(staging) does not exist; nothing to publish")
        }
        try DurableFile.makeDirectories(output)
        let target = output + "/" + identifier
        try refuseExisting(target)
        if renameWithoutReplacing(staging, target) == 0 {
            try FileTree.syncDirectory(output)
            try FileTree.syncDirectory(DurableFile.parentDirectory(of: staging))
            return target
        }
        let code = errno
        if code == EEXIST || code == ENOTEMPTY { try refuseExisting(target) }
        guard code == EXDEV else { throw FileError(operation: "move the item to", path: target, errno: code) }
        try copyAcross(staging: staging, output: output, identifier: identifier, target: target)
        return target
    }

    /// The cross-file-system path: copy into `.{identifier}.partial-…`, fsync, rename, remove staging.
    private static func copyAcross(staging: String, output: String, identifier: String, target: String) throws {
        let partial = output + "/." + identifier + ".partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try FileTree.copyTree(staging, to: partial)
            try FileTree.syncDirectory(output)
            try refuseExisting(target)
            guard renameWithoutReplacing(partial, target) == 0 else {
                let code = errno
                if code == EEXIST || code == ENOTEMPTY { try refuseExisting(target) }
                throw FileError(operation: "move the item to", path: target, errno: code)
            }
            try FileTree.syncDirectory(output)
        } catch {
            try? FileTree.removeTree(partial)
            throw error
        }
        try FileTree.removeTree(staging)
    }

    /// Renames on one file system: 0, or -1 with errno (EEXIST when the target exists). Falls back to `rename(2)`
    /// (after the caller's check) where no-replace renames are not supported: ENOSYS (old kernel), EINVAL or
    /// ENOTSUP (file system).
    static func renameWithoutReplacing(_ source: String, _ target: String) -> Int32 {
        if crename_noreplace(source, target) == 0 { return 0 }
        let code = errno
        guard code == ENOSYS || code == EINVAL || code == ENOTSUP || code == EOPNOTSUPP else { return -1 }
        return rename(source, target)
    }

    private static func refuseExisting(_ target: String) throws {
        if try FileTree.entry(target) != nil {
            throw PackagingError(
                .outputExists,
                "the item \(target) already exists; move it away or choose another output folder or identifier")
        }
    }
}
