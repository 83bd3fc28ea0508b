extension UploadSession {
    /// Polls the metadata API until it lists every local file with its MD5, or until `timeout` has passed
    /// (zero: one look). Never throws: what is missing goes into the result.
    func verification(timeout: Duration) async -> RemoteVerification {
        let expected = files.compactMap { file in localMD5[file.key].map { (key: file.key, md5: $0) } }
        let deadline = ContinuousClock.now + timeout
        var interval = options.verifyInterval
        let client = metadataClient()
        var announced = false
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
                result.ingestGrace = options.ingestGrace
                result.recentlyUploaded = recentlyUploaded(result.pending)
                logger.info("\(result.summary)")
                return result
            }
            let waitingFor = waitingText(result)
            if !announced {
                announced = true
                let limit = S3Exchange.seconds(timeout)
                let line =
                    "\(identifier): waiting up to \(limit) for IA to list \(waitingFor); IA lists a file once "
                    + "its ingest task has run"
                logger.info("\(line)")
            }
            run.note("waiting for IA to list " + waitingFor)
            try? await Task.sleep(for: interval)
            interval = min(interval * 1.5, options.verifyMaxInterval)
        }
    }

    /// What a verification poll still waits for: "3 files it does not list yet (a, b, c)", and files listed with
    /// another MD5.
    private func waitingText(_ result: RemoteVerification) -> String {
        var parts: [String] = []
        if result.unreachable {
            parts.append("\(result.pending.count) files (its metadata API cannot be read now)")
        } else if !result.pending.isEmpty {
            parts.append("\(result.pending.count) files it does not list yet (\(Self.names(result.pending)))")
        }
        if !result.mismatched.isEmpty {
            parts.append(
                "\(result.mismatched.count) files it lists with another MD5 "
                    + "(\(Self.names(result.mismatched.map(\.key))))")
        }
        return parts.joined(separator: " and ")
    }

    /// The keys of `pending` whose journal entry is younger than the ingest grace.
    private func recentlyUploaded(_ pending: [String]) -> [String] {
        let byKey = Dictionary(files.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        return pending.filter { key in
            guard let file = byKey[key], let done = try? journalEntry(file) else { return false }
            return isWithinIngestGrace(done)
        }
    }

    /// ``ItemUploader/verifyRemote(itemPath:timeout:)``: local MD5s (journal, manifest or a read), then the check.
    func verifyOnly() async throws -> RemoteVerification {
        for file in files {
            if let done = try journalEntry(file) {
                localMD5[file.key] = done.md5
            } else {
                _ = try await md5(of: file)
            }
        }
        return await verification(timeout: options.verifyTimeout)
    }
}
