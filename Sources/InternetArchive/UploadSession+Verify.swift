extension UploadSession {
    /// Polls the metadata API until it lists every local file with its MD5, or until `timeout` has passed
    /// (zero: one look). Never throws: what is missing goes into the result.
    func verification(timeout: Duration) async -> RemoteVerification {
        let expected = files.compactMap { file in localMD5[file.key].map { (key: file.key, md5: $0) } }
        let deadline = ContinuousClock.now + timeout
        var interval = options.verifyInterval
        let client = metadataClient()
        run.begin(.verifying, file: nil, size: 0)
        while true {
            var result = RemoteVerification(identifier: identifier)
            do {
                let remote = try await client.item(identifier)
                result.itemFound = remote != nil
                for (key, md5) in expected {
                    guard let listed = remote?.file(named: key), let remoteMD5 = listed.md5 else {
                        result.pending.append(key)
                        continue
                    }
                    if remoteMD5 == md5 {
                        result.verified.append(key)
                    } else {
                        result.mismatched.append(.init(key: key, localMD5: md5, remoteMD5: remoteMD5))
                    }
                }
            } catch {
                logger.debug("the metadata API could not be read for \(identifier): \(error)")
                result.unreachable = true
                result.pending = expected.map(\.key)
            }
            if result.isComplete || Task.isCancelled || ContinuousClock.now + interval > deadline {
                logger.info("\(result.summary)")
                return result
            }
            run.note("waiting for IA to list \(result.pending.count + result.mismatched.count) files")
            try? await Task.sleep(for: interval)
            interval = min(interval * 1.5, options.verifyMaxInterval)
        }
    }

    /// ``ItemUploader/verifyRemote(itemPath:timeout:)``: local MD5s (journal, manifest or a read), then the check.
    func verifyOnly() async throws -> RemoteVerification {
        for file in files {
            if let done = try journal?.finished(file.key), done.size == file.size, done.mtime == file.mtime {
                localMD5[file.key] = done.md5
            } else {
                _ = try await md5(of: file)
            }
        }
        return await verification(timeout: options.verifyTimeout)
    }
}
