import Foundation

/// What the metadata API said about the item before the upload.
enum RemoteView {
    /// IA answered: the item, or nil when IA has no item of that name (`{}`).
    case listed(RemoteItem?)
    /// Not asked, or not readable: the journal is trusted.
    case unknown
}

extension UploadSession {
    /// Decides per file, IA's own view first: a file IA lists with the local MD5 is done; one it lists with another
    /// MD5 is sent again; one it does not list is skipped on the journal's word only while the journal's entry is
    /// younger than ``UploadOptions/ingestGrace`` (IA lists a file only once its ingest task has run). When IA's
    /// view is unknown, the journal is trusted. ``UploadOptions/resend`` sets the journal aside.
    func plan(remote: RemoteView) async throws -> [ItemFile] {
        guard case .listed(let item) = remote else { return try planFromJournal() }
        var toSend: [ItemFile] = []
        var lost: [String] = []
        for file in files {
            let done = options.resend ? nil : try journalEntry(file)
            if let listed = item?.file(named: file.key), let remoteMD5 = listed.md5 {
                if listed.size == nil || listed.size == file.size {
                    let md5 = if let done { done.md5 } else { try await md5(of: file) }
                    if md5 == remoteMD5 {
                        report.alreadyOnIA.append(file.key)
                        localMD5[file.key] = md5
                        if done == nil { try journal?.recordFinished(file, md5: md5) }
                        continue
                    }
                }
                if let done {
                    warn(
                        "the journal records \(file.key) of \(identifier) as uploaded with MD5 \(done.md5), but IA "
                            + "lists it with MD5 \(remoteMD5) (another upload replaced it); sending it again")
                }
            } else if let done {
                guard !isWithinIngestGrace(done) else {
                    report.skippedFromJournal.append(file.key)
                    localMD5[file.key] = done.md5
                    continue
                }
                lost.append(file.key)
            }
            toSend.append(file)
        }
        let grace = options.ingestGrace.spoken
        if !lost.isEmpty {
            warn(
                "IA does not list \(lost.count) files of \(identifier) that the journal records as uploaded more "
                    + "than \(grace) ago (IA lost them, or their ingest failed); sending them again: \(Self.names(lost))"
            )
        }
        if !report.skippedFromJournal.isEmpty {
            let skipped = report.skippedFromJournal
            warn(
                "IA does not list \(skipped.count) files of \(identifier) yet that the journal records as uploaded "
                    + "less than \(grace) ago (IA lists a file once its ingest task has run), so they are not sent again "
                    + "before then (--ingest-grace); `upload --resend` sends them now: \(Self.names(skipped))")
        }
        return toSend
    }

    /// Without IA's view: files the journal records as uploaded are skipped (unless resending), the rest is sent.
    private func planFromJournal() throws -> [ItemFile] {
        var toSend: [ItemFile] = []
        for file in files {
            if !options.resend, let done = try journalEntry(file) {
                report.skippedFromJournal.append(file.key)
                localMD5[file.key] = done.md5
            } else {
                toSend.append(file)
            }
        }
        return toSend
    }

    /// The journal's entry for `file` when it was uploaded with its present size and mtime.
    func journalEntry(_ file: ItemFile) throws -> UploadJournal.Finished? {
        guard let done = try journal?.finished(file.key), done.size == file.size, done.mtime == file.mtime else {
            return nil
        }
        return done
    }

    /// True while `done` is younger than the ingest grace (IA may still be ingesting the file).
    func isWithinIngestGrace(_ done: UploadJournal.Finished) -> Bool {
        Duration.seconds(Int64(Date().timeIntervalSince1970) - done.finishedAt) < options.ingestGrace
    }

    /// Up to five keys, then how many more.
    static func names(_ keys: [String]) -> String {
        let shown = keys.prefix(5).joined(separator: ", ")
        return keys.count > 5 ? shown + " and \(keys.count - 5) more" : shown
    }
}
