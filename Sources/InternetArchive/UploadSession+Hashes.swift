import Essentials

extension UploadSession {
    /// The MD5 of `file` without reading it: this run, the journal's hash cache, or the manifest.
    func knownMD5(_ file: ItemFile) throws -> String? {
        if let md5 = localMD5[file.key] { return md5 }
        if let md5 = try journal?.cachedMD5(file) { return md5 }
        return manifest.md5(file)
    }

    /// The MD5 of `file`, read (stage "hashing") only when it is not known.
    func md5(of file: ItemFile) async throws -> String {
        if let known = try knownMD5(file) {
            localMD5[file.key] = known
            return known
        }
        run.begin(.hashing, file: file.key, size: file.size)
        let run = self.run
        let md5 = try await Hashing.file(file) { run.hashed($0) }
        try remember(file, md5: md5)
        return md5
    }

    /// Keeps a computed MD5 for this run and, outside dry runs, in the journal's hash cache.
    func remember(_ file: ItemFile, md5: String) throws {
        localMD5[file.key] = md5
        if !options.dryRun { try journal?.cacheMD5(file, md5: md5) }
    }

    /// Hashing started ahead, while the file before is being sent.
    enum Prefetch {
        /// The whole MD5 of a single-PUT file.
        case whole(key: String, task: Task<String, any Error>)
        /// Part 1 of a fresh multipart upload; with the whole file's running MD5 when that is unknown.
        case firstPart(key: String, withRunning: Bool, task: Task<Hashing.PartResult, any Error>)

        var key: String {
            switch self {
            case .whole(let key, _), .firstPart(let key, _, _): return key
            }
        }

        func cancel() {
            switch self {
            case .whole(_, let task): task.cancel()
            case .firstPart(_, _, let task): task.cancel()
            }
        }
    }

    /// Starts hashing what the file after `index` needs first (its MD5, or its first part), unless it is known
    /// or the file resumes a multipart upload.
    func prefetch(after index: Int, in files: [ItemFile]) throws -> Prefetch? {
        guard index + 1 < files.count else { return nil }
        let next = files[index + 1]
        let known = try knownMD5(next)
        if !isMultipart(next) {
            guard known == nil else { return nil }
            return .whole(key: next.key, task: Task { try await Hashing.file(next) })
        }
        guard try journal?.multipart(next.key) == nil else { return nil }
        let length = min(partLayout(next).size, next.size)
        let running: MD5? = known == nil ? MD5() : nil
        return .firstPart(
            key: next.key, withRunning: known == nil,
            task: Task {
                try await Hashing.part(next, offset: 0, length: length, running: running)
            })
    }

    /// The MD5 of `file`, from its prefetch when there is one.
    func md5(of file: ItemFile, prefetched: Prefetch?) async throws -> String {
        guard case .whole(let key, let task)? = prefetched, key == file.key else { return try await md5(of: file) }
        run.begin(.hashing, file: file.key, size: file.size)
        let md5 = try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
        try remember(file, md5: md5)
        return md5
    }
}
