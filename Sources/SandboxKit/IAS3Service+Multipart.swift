import Essentials
import Foundation
import HTTPServerKit

extension IAS3Service {
    /// `POST /{id}/{key}?uploads`: creates the item like a PUT would, and a new upload id.
    func initiate(
        _ request: ServerRequest, _ response: IAReply, _ address: Address,
        _ account: InternetArchiveSandboxConfiguration.Account
    ) {
        guard let metadata = parseMetadata(request, response),
            prepareWrite(request, response, address, account, incoming: 0, metadata: metadata)
        else { return }
        let id = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        store.startUpload(identifier: address.identifier, key: address.key, owner: account.accessKey, id: id)
        sendXML(
            response,
            "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>"
                + MarkupText.escape(address.identifier) + "</Bucket><Key>" + MarkupText.escape(address.key)
                + "</Key><UploadId>" + id + "</UploadId></InitiateMultipartUploadResult>")
    }

    /// `PUT /{id}/{key}?partNumber=n&uploadId=…`: stores one part (Content-MD5 checked), answers its ETag.
    func putPart(
        _ request: ServerRequest, _ response: IAReply, _ address: Address,
        _ account: InternetArchiveSandboxConfiguration.Account
    ) {
        guard let upload = ownUpload(request, response, address, account) else { return }
        guard let number = request.queryValue("partNumber").flatMap({ Int($0) }), (1...10_000).contains(number) else {
            IAS3Answers.send(
                response, status: 400, code: "InvalidArgument",
                message: "Part number must be an integer between 1 and 10000, inclusive.")
            return
        }
        if let claim = store.claimAssembly(upload: upload.id, number: number) {
            let received = receiveBody(request, response, to: claim.path, at: claim.offset, running: claim.running)
            guard let received, checkDigest(request, response, received) else {
                _ = store.releaseAssembly(upload: upload.id, number: number, part: nil, running: nil)
                return
            }
            let part = IAItemStore.Part(path: claim.path, offset: claim.offset, size: received.size, md5: received.md5)
            guard store.releaseAssembly(upload: upload.id, number: number, part: part, running: received.running) else {
                noSuchUpload(response)
                return
            }
            response.send(status: 200, headers: [("ETag", "\"\(received.md5)\"")])
            return
        }
        let path = store.directory + "/parts/\(upload.id)/\(number).\(UUID().uuidString)"
        guard let received = receiveBody(request, response, to: path) else { return }
        guard checkDigest(request, response, received) else {
            unlink(path)
            return
        }
        guard
            store.storePart(
                IAItemStore.Part(path: path, offset: 0, size: received.size, md5: received.md5),
                number: number, upload: upload.id)
        else {
            unlink(path)
            noSuchUpload(response)
            return
        }
        response.send(status: 200, headers: [("ETag", "\"\(received.md5)\"")])
    }

    /// `POST /{id}/{key}?uploadId=…`: joins the listed parts (ascending, ETags matching) into the object.
    func complete(
        _ request: ServerRequest, _ response: IAReply, _ address: Address,
        _ account: InternetArchiveSandboxConfiguration.Account
    ) {
        guard let upload = ownUpload(request, response, address, account) else { return }
        guard let body = try? request.readBody(limit: 4 << 20) else {
            IAS3Answers.send(
                response, status: 400, code: "MalformedXML", message: "The XML you provided was not well-formed.")
            return
        }
        let text = String(decoding: body, as: UTF8.self)
        var listed: [(number: Int, etag: String)] = []
        for part in IAS3Answers.elements("Part", in: text) {
            guard let number = IAS3Answers.elements("PartNumber", in: part).first.flatMap({ Int($0) }),
                let etag = IAS3Answers.elements("ETag", in: part).first
            else { continue }
            listed.append((number, MarkupText.decode(etag).replacingOccurrences(of: "\"", with: "")))
        }
        guard !listed.isEmpty, text.contains("<CompleteMultipartUpload") else {
            IAS3Answers.send(
                response, status: 400, code: "MalformedXML", message: "The XML you provided was not well-formed.")
            return
        }
        guard zip(listed, listed.dropFirst()).allSatisfy({ $0.number < $1.number }) else {
            IAS3Answers.send(
                response, status: 400, code: "InvalidPartOrder",
                message: "The list of parts was not in ascending order.")
            return
        }
        var parts: [IAItemStore.Part] = []
        for (index, entry) in listed.enumerated() {
            guard let part = upload.parts[entry.number], part.md5 == entry.etag.lowercased() else {
                IAS3Answers.send(
                    response, status: 400, code: "InvalidPart",
                    message: "One or more of the specified parts could not be found.")
                return
            }
            if index < listed.count - 1 && part.size < configuration.minimumPartSize {
                IAS3Answers.send(
                    response, status: 400, code: "EntityTooSmall",
                    message: "Your proposed upload is smaller than the minimum allowed object size.")
                return
            }
            parts.append(part)
        }
        let path = store.newBlobPath()
        if let whole = assembled(upload, listed: listed.map(\.number), into: path) {
            finish(response, address, upload, path: path, size: whole.size, md5: whole.md5, parts: parts)
            return
        }
        guard let joined = join(parts, into: path) else {
            IAS3Answers.send(
                response, status: 500, code: "InternalError", message: "The sandbox could not join the parts.")
            return
        }
        finish(response, address, upload, path: path, size: joined.size, md5: joined.md5, parts: parts)
    }

    /// Stores the joined object and answers CompleteMultipartUploadResult with the S3-style multipart ETag.
    private func finish(
        _ response: IAReply, _ address: Address, _ upload: IAItemStore.Upload, path: String,
        size: Int64, md5: String, parts: [IAItemStore.Part]
    ) {
        store.endUpload(upload.id)
        store.store(
            IAItemStore.StoredFile(
                name: address.key, size: size, md5: md5,
                mtime: Int64(Date().timeIntervalSince1970), blobPath: path,
                visibleAt: ContinuousClock.now + controls.ingestDelay),
            in: address.identifier)
        controls.count { $0.filesStored += 1 }
        let etag = MD5.hex(of: parts.flatMap { Self.bytes(ofHex: $0.md5) }) + "-\(parts.count)"
        sendXML(
            response,
            "<CompleteMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>"
                + MarkupText.escape(address.identifier) + "</Bucket><Key>" + MarkupText.escape(address.key)
                + "</Key><ETag>\"\(etag)\"</ETag></CompleteMultipartUploadResult>")
    }

    func abort(
        _ request: ServerRequest, _ response: IAReply, _ address: Address,
        _ account: InternetArchiveSandboxConfiguration.Account
    ) {
        guard let upload = ownUpload(request, response, address, account) else { return }
        store.endUpload(upload.id)
        response.send(status: 204)
    }

    /// `GET /{id}/{key}?uploadId=…` (ListParts), all parts in one answer.
    func listParts(
        _ request: ServerRequest, _ response: IAReply, _ address: Address,
        _ account: InternetArchiveSandboxConfiguration.Account
    ) {
        guard let upload = ownUpload(request, response, address, account) else { return }
        var xml =
            "<ListPartsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>"
            + MarkupText.escape(address.identifier) + "</Bucket><Key>" + MarkupText.escape(address.key)
            + "</Key><UploadId>" + upload.id + "</UploadId><IsTruncated>false</IsTruncated>"
        for (number, part) in upload.parts.sorted(by: { $0.key < $1.key }) {
            xml +=
                "<Part><PartNumber>\(number)</PartNumber><ETag>&quot;\(part.md5)&quot;</ETag><Size>\(part.size)</Size></Part>"
        }
        sendXML(response, xml + "</ListPartsResult>")
    }

    /// `GET /{id}/?uploads` (ListMultipartUploads).
    func listUploads(_ request: ServerRequest, _ response: IAReply, _ address: Address) {
        var xml =
            "<ListMultipartUploadsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>"
            + MarkupText.escape(address.identifier) + "</Bucket><IsTruncated>false</IsTruncated>"
        for upload in store.uploads(of: address.identifier) {
            xml +=
                "<Upload><Key>" + MarkupText.escape(upload.key) + "</Key><UploadId>" + upload.id
                + "</UploadId></Upload>"
        }
        sendXML(response, xml + "</ListMultipartUploadsResult>")
    }

    private func ownUpload(
        _ request: ServerRequest, _ response: IAReply, _ address: Address,
        _ account: InternetArchiveSandboxConfiguration.Account
    ) -> IAItemStore.Upload? {
        guard let id = request.queryValue("uploadId"), let upload = store.upload(id),
            upload.identifier == address.identifier, upload.key == address.key
        else {
            noSuchUpload(response)
            return nil
        }
        guard upload.owner == account.accessKey else {
            IAS3Answers.send(response, status: 403, code: "AccessDenied", message: "Access Denied")
            return nil
        }
        return upload
    }

    private func noSuchUpload(_ response: IAReply) {
        IAS3Answers.send(
            response, status: 404, code: "NoSuchUpload",
            message: "The specified upload does not exist. The upload ID may be invalid, or the upload "
                + "may have been aborted or completed.")
    }

    private func sendXML(_ response: IAReply, _ body: String) {
        response.send(
            status: 200, headers: [("Content-Type", "application/xml")],
            body: Array(("<?xml version='1.0' encoding='UTF-8'?>\n" + body).utf8))
    }

    /// When the listed parts are exactly the assembly's parts 1...n in order, moves the assembly to `path` and
    /// returns its size and MD5 (no copy); nil when the parts must be joined.
    private func assembled(
        _ upload: IAItemStore.Upload, listed: [Int], into path: String
    ) -> (size: Int64, md5: String)? {
        guard listed == Array(1...max(1, upload.appended)), upload.appended == listed.count else { return nil }
        var offset: Int64 = 0
        for number in listed {
            guard let part = upload.parts[number], part.path == upload.assemblyPath, part.offset == offset else {
                return nil
            }
            offset += part.size
        }
        guard truncate(upload.assemblyPath, off_t(offset)) == 0, rename(upload.assemblyPath, path) == 0 else {
            return nil
        }
        return (offset, upload.states[upload.appended].hexDigest())
    }

    /// Concatenates the parts into `path` with the whole file's MD5.
    private func join(_ parts: [IAItemStore.Part], into path: String) -> (size: Int64, md5: String)? {
        let out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard out >= 0 else { return nil }
        defer { close(out) }
        var md5 = MD5()
        var size: Int64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        for part in parts {
            let input = open(part.path, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else { return nil }
            defer { close(input) }
            var done: Int64 = 0
            while done < part.size {
                let want = Int(min(Int64(buffer.count), part.size - done))
                let got = SystemCall.retrying { pread(input, buffer.baseAddress, want, off_t(part.offset + done)) }
                guard got > 0 else { return nil }
                done += Int64(got)
                let block = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
                md5.update(block)
                guard (try? DurableFile.writeAll(fd: out, buffer: block, path: path)) != nil else { return nil }
                size += Int64(got)
            }
        }
        return (size, md5.hexDigest())
    }

    static func bytes(ofHex hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            if let byte = UInt8(hex[index..<next], radix: 16) { out.append(byte) }
            index = next
        }
        return out
    }
}
