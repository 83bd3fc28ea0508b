import Essentials
import HTTPClientKit

extension UploadSession {
    /// How a file is cut: the part size (raised past 10,000 parts) and the number of parts.
    func partLayout(_ file: ItemFile) -> (size: Int64, count: Int) {
        let size = max(options.partSize, (file.size + UploadOptions.maximumParts - 1) / UploadOptions.maximumParts)
        return (size, Int((file.size + size - 1) / size))
    }

    /// Uploads `file` in parts, resuming a multipart upload of an earlier run when IA still has it.
    /// Returns the bytes sent in this run.
    /// `firstPart`: part 1 hashed ahead (used only by the first attempt, for a fresh upload that hashes the way it
    /// was started); the caller owns its task and cancels it when the file is done with.
    func uploadMultipart(
        _ file: ItemFile, itemHeaders: [HTTPHeader],
        firstPart: (withRunning: Bool, task: Task<Hashing.PartResult, any Error>)? = nil
    ) async throws -> Int64 {
        var restarted = false
        while true {
            do {
                return try await multipartAttempt(
                    file, itemHeaders: itemHeaders, firstPart: restarted ? nil : firstPart)
            } catch let error as InternetArchiveError where error.code == .noSuchUpload && !restarted {
                restarted = true
                logger.warning("\(error)")
                try journal?.forgetMultipart(file.key)
            }
        }
    }

    private func multipartAttempt(
        _ file: ItemFile, itemHeaders: [HTTPHeader],
        firstPart: (withRunning: Bool, task: Task<Hashing.PartResult, any Error>)?
    ) async throws -> Int64 {
        let layout = partLayout(file)
        var done: [Int: UploadJournal.Part] = [:]
        /// Parts IA holds that the journal does not know (acknowledged as a run was killed): ETag by number.
        var unrecorded: [Int: String] = [:]
        var uploadID: String?
        if let earlier = try journal?.multipart(file.key) {
            if earlier.size != file.size || earlier.mtime != file.mtime || earlier.partSize != layout.size {
                logger.info("\(file.key) changed since its multipart upload started; starting it over")
                await abandon(file, uploadID: earlier.uploadID)
            } else {
                let listed = try await listParts(file, uploadID: earlier.uploadID)
                done = earlier.parts.filter { number, part in
                    listed[number].map { Self.sameETag($0, part.etag) } ?? false
                }
                unrecorded = listed.filter { earlier.parts[$0.key] == nil }
                uploadID = earlier.uploadID
                logger.info("\(file.key): resuming multipart upload, \(done.count) of \(layout.count) parts on IA")
            }
        }
        if uploadID == nil { uploadID = try await initiate(file, partSize: layout.size, itemHeaders: itemHeaders) }
        guard let uploadID else { return 0 }

        let known = try knownMD5(file)
        var running: MD5?
        var firstHashed = 1
        if known == nil {
            var contiguous = 0
            while let part = done[contiguous + 1], part.runningMD5 != nil { contiguous += 1 }
            if contiguous > 0, let saved = done[contiguous]?.runningMD5, let restored = MD5(savedState: saved) {
                running = restored
                firstHashed = contiguous + 1
            } else {
                running = MD5()
            }
        }
        func range(_ number: Int) -> (offset: Int64, length: Int64) {
            let offset = Int64(number - 1) * layout.size
            return (offset, min(layout.size, file.size - offset))
        }
        func needsHash(_ number: Int) -> Bool {
            done[number] == nil || (running != nil && number >= firstHashed)
        }
        func startHash(_ number: Int, running: MD5?) -> Task<Hashing.PartResult, any Error> {
            let (offset, length) = range(number)
            return Task { try await Hashing.part(file, offset: offset, length: length, running: running) }
        }

        var sent: Int64 = 0
        var wholeNeedsRereading = false
        var pending: Task<Hashing.PartResult, any Error>?
        if let firstPart, firstHashed == 1, done[1] == nil, firstPart.withRunning == (running != nil) {
            pending = firstPart.task
        }
        defer { pending?.cancel() }
        for number in 1...layout.count {
            let (offset, length) = range(number)
            var partMD5: String?
            if needsHash(number) {
                let carried = number >= firstHashed ? running : nil
                let task = pending ?? startHash(number, running: carried)
                pending = nil
                if done[number] == nil { run.begin(.hashing, file: file.key, size: file.size, bytes: offset) }
                let result = try await task.value
                partMD5 = result.md5
                if number >= firstHashed, running != nil { running = result.running }
            }
            if number < layout.count, needsHash(number + 1) {
                pending = startHash(number + 1, running: number + 1 >= firstHashed ? running : nil)
            }
            if let part = done[number] {
                run.completed(part.size)
                continue
            }
            guard var md5 = partMD5 else { continue }
            let saved = number >= firstHashed ? running?.savedState : nil
            if let etag = unrecorded[number], Self.sameETag(etag, md5) {
                let part = UploadJournal.Part(etag: etag, md5: md5, size: length, runningMD5: saved)
                try journal?.recordPart(file.key, number: number, part: part)
                done[number] = part
                run.completed(length)
                continue
            }
            let etag: String
            var reread = false
            while true {
                do {
                    etag = try await sendPart(
                        file, number: number, of: layout.count, offset: offset, length: length,
                        md5: md5, uploadID: uploadID)
                    break
                } catch let error as InternetArchiveError where error.code == .badDigest && !reread {
                    reread = true
                    try await checkUnchangedOrAbandon(file, uploadID: uploadID)
                    logger.warning("\(error); reading part \(number) of \(file.key) again")
                    let again = try await Hashing.part(file, offset: offset, length: length, running: nil)
                    if again.md5 != md5 { wholeNeedsRereading = true }
                    md5 = again.md5
                }
            }
            run.completed(length)
            sent += length
            let part = UploadJournal.Part(
                etag: etag, md5: md5, size: length,
                runningMD5: wholeNeedsRereading ? nil : saved)
            try journal?.recordPart(file.key, number: number, part: part)
            done[number] = part
        }
        try await checkUnchangedOrAbandon(file, uploadID: uploadID)
        try await complete(
            file, uploadID: uploadID,
            parts: (1...layout.count).compactMap { number in
                done[number].map { (number, $0.etag) }
            })
        let md5: String
        if let known, !wholeNeedsRereading {
            md5 = known
        } else if let running, !wholeNeedsRereading {
            md5 = running.hexDigest()
        } else {
            md5 = try await Hashing.file(file)
        }
        try remember(file, md5: md5)
        try journal?.recordFinished(file, md5: md5)
        return sent
    }

    private func initiate(_ file: ItemFile, partSize: Int64, itemHeaders: [HTTPHeader]) async throws -> String {
        run.begin(.uploading, file: file.key, size: file.size)
        let requests = self.requests
        let response = try await exchange.send("the start of the multipart upload of \(file.key)") {
            requests.initiate(file.key, itemHeaders: itemHeaders)
        }
        guard let uploadID = S3XML.value("UploadId", in: response.text), !uploadID.isEmpty else {
            throw InternetArchiveError(
                .badAnswer,
                "IA started the multipart upload of \(file.key) without an upload id; "
                    + "check --s3-url and run upload again")
        }
        try journal?.startMultipart(file, uploadID: uploadID, partSize: partSize)
        return uploadID
    }

    private func sendPart(
        _ file: ItemFile, number: Int, of count: Int, offset: Int64, length: Int64, md5: String,
        uploadID: String
    ) async throws -> String {
        run.begin(.uploading, file: file.key, size: file.size, bytes: offset)
        let requests = self.requests
        let progress = run.transferProgress(fileOffset: offset)
        let response = try await exchange.send("part \(number) of \(count) of \(file.key)", retryNotFound: true) {
            var request = requests.putPart(
                file, number: number, offset: offset, length: length, md5: md5,
                uploadID: uploadID)
            request.progress = progress
            return request
        }
        return response.header("ETag") ?? "\"\(md5)\""
    }

    private func complete(_ file: ItemFile, uploadID: String, parts: [(number: Int, etag: String)]) async throws {
        run.note("asking IA to join \(parts.count) parts of \(file.key)")
        let requests = self.requests
        let response: HTTPResponse
        do {
            response = try await exchange.send("the completion of \(file.key)", retryNotFound: true) {
                requests.complete(file.key, uploadID: uploadID, parts: parts)
            }
        } catch let error as InternetArchiveError where error.code == .rejected {
            await abandon(file, uploadID: uploadID)
            throw error
        }
        if let error = S3ErrorBody(response.body, hiding: requests.mask) {
            throw InternetArchiveError(
                .serverFailed,
                "IA could not join the parts of \(file.key) (\(error.detail)); "
                    + "run upload again to retry")
        }
    }

    /// The parts IA holds for an upload: number → ETag. Throws `.noSuchUpload` when IA forgot the upload.
    private func listParts(_ file: ItemFile, uploadID: String) async throws -> [Int: String] {
        var parts: [Int: String] = [:]
        var marker = 0
        let requests = self.requests
        while true {
            let from = marker
            let response = try await exchange.send("the list of parts of \(file.key)") {
                requests.listParts(file.key, uploadID: uploadID, marker: from)
            }
            let text = response.text
            for block in S3XML.blocks("Part", in: text) {
                guard let number = S3XML.value("PartNumber", in: block).flatMap({ Int($0) }),
                    let etag = S3XML.value("ETag", in: block)
                else { continue }
                parts[number] = etag
            }
            guard S3XML.value("IsTruncated", in: text) == "true",
                let next = S3XML.value("NextPartNumberMarker", in: text).flatMap({ Int($0) }), next > marker
            else {
                return parts
            }
            marker = next
        }
    }

    /// Aborts the upload on IA (best effort) and forgets it in the journal.
    func abandon(_ file: ItemFile, uploadID: String) async {
        let requests = self.requests
        do {
            _ = try await exchange.send("the abort of the multipart upload of \(file.key)") {
                requests.abort(file.key, uploadID: uploadID)
            }
        } catch {
            logger.info("the multipart upload of \(file.key) could not be aborted (\(error)); IA drops it in time")
        }
        do {
            try journal?.forgetMultipart(file.key)
        } catch {
            logger.warning("\(error)")
        }
    }

    private func checkUnchangedOrAbandon(_ file: ItemFile, uploadID: String) async throws {
        guard file.isUnchanged else {
            await abandon(file, uploadID: uploadID)
            throw InternetArchiveError(
                .fileChanged,
                "\(file.path) changed while it was being uploaded, so its "
                    + "multipart upload was given up; run upload again when nothing writes to it")
        }
    }

    static func sameETag(_ a: String, _ b: String) -> Bool {
        func bare(_ text: String) -> String {
            var value = Substring(text)
            while value.first == "\"" { value = value.dropFirst() }
            while value.last == "\"" { value = value.dropLast() }
            return value.lowercased()
        }
        return bare(a) == bare(b)
    }
}
