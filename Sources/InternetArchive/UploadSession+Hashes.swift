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

    /// Starts hashing the first single-PUT file after `index` whose MD5 is unknown, while the current one is sent.
    func prefetchHash(after index: Int, in files: [ItemFile]) throws -> (key: String, task: Task<String, any Error>)? {
        guard index + 1 < files.count else { return nil }
        let next = files[index + 1]
        guard !isMultipart(next), try knownMD5(next) == nil else { return nil }
        return (next.key, Task { try await Hashing.file(next) })
    }

    /// The MD5 of `file`, from its prefetch when there is one.
    func md5(of file: ItemFile, prefetched: (key: String, task: Task<String, any Error>)?) async throws -> String {
        guard let prefetched, prefetched.key == file.key else { return try await md5(of: file) }
        run.begin(.hashing, file: file.key, size: file.size)
        let task = prefetched.task
        let md5 = try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
        try remember(file, md5: md5)
        return md5
    }
}
