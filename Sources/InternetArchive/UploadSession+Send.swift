import HTTPClientKit

extension UploadSession {
    /// Sends `toSend` in order; the last one carries the derive flag.
    func send(_ toSend: [ItemFile]) async throws {
        run.setItemTotal(toSend.reduce(0) { $0 + $1.size })
        var prefetched: Prefetch?
        defer { prefetched?.cancel() }
        for (index, file) in toSend.enumerated() {
            let headers = itemHeaders(last: index == toSend.count - 1)
            try checkUnchanged(file)
            let mine = prefetched?.key == file.key ? prefetched : nil
            // Whatever happens to this file, its prefetch stops with it (cancelling a finished task does nothing).
            defer { mine?.cancel() }
            if mine == nil { prefetched?.cancel() }  // a prefetch for another file (cannot happen; never leaked)
            prefetched = nil
            if isMultipart(file) {
                var firstPart: (withRunning: Bool, task: Task<Hashing.PartResult, any Error>)?
                if case .firstPart(_, let withRunning, let task)? = mine { firstPart = (withRunning, task) }
                prefetched = try prefetch(after: index, in: toSend)
                report.bytesUploaded += try await uploadMultipart(file, itemHeaders: headers, firstPart: firstPart)
            } else {
                let md5 = try await md5(of: file, prefetched: mine)
                prefetched = try prefetch(after: index, in: toSend)
                try await uploadSingle(file, md5: md5, itemHeaders: headers)
                report.bytesUploaded += file.size
            }
            report.uploaded.append(file.key)
            logger.info("\(identifier): uploaded \(file.key) (\(file.size) bytes)")
        }
    }

    /// One PUT of the whole file. A BadDigest makes it re-read the file once and try again.
    func uploadSingle(_ file: ItemFile, md5 first: String, itemHeaders: [HTTPHeader]) async throws {
        var md5 = first
        var reread = false
        while true {
            run.begin(.uploading, file: file.key, size: file.size)
            let requests = self.requests
            let progress = run.transferProgress(fileOffset: 0)
            let sending = md5
            do {
                _ = try await exchange.send("the upload of \(file.key)") {
                    var request = requests.put(file, md5: sending, itemHeaders: itemHeaders)
                    request.progress = progress
                    return request
                }
                break
            } catch let error as InternetArchiveError where error.code == .badDigest && !reread {
                reread = true
                try checkUnchanged(file, during: "while it was being uploaded")
                logger.warning("\(error); reading \(file.key) again")
                md5 = try await Hashing.file(file)
                try remember(file, md5: md5)
            }
        }
        run.completed(file.size)
        try journal?.recordFinished(file, md5: md5)
        localMD5[file.key] = md5
    }
}
