import Essentials
import Foundation
import HTTPServerKit

extension IAS3Service {
    /// `PUT /{id}`: creates an item with its metadata; an existing one is a 409 unless
    /// `x-archive-ignore-preexisting-bucket: 1` asks to replace its metadata.
    func putBucket(
        _ request: ServerRequest, _ response: IAReply, _ address: Address,
        _ account: InternetArchiveSandboxConfiguration.Account
    ) {
        guard let metadata = parseMetadata(request, response) else { return }
        if let existing = store.item(address.identifier) {
            guard request.header("x-archive-ignore-preexisting-bucket") == "1" else {
                IAS3Answers.send(
                    response, status: 409, code: "BucketAlreadyExists",
                    message: "The requested bucket name is not available. The bucket namespace is shared "
                        + "by all users of the system. Please select a different name and try again.")
                return
            }
            guard checkOwner(existing, account, response) else { return }
            store.replaceMetadata(address.identifier, Self.withDefaults(metadata, address.identifier, account))
        } else {
            store.createIfMissing(newItem(address.identifier, metadata, account))
        }
        response.send(status: 200)
    }

    /// `PUT /{id}/{key}`: checks owner, size limit and auto-make-bucket before reading the body (so a client
    /// waiting on `100 Continue` sends nothing), then stores the body after its Content-MD5 check.
    func putObject(
        _ request: ServerRequest, _ response: IAReply, _ address: Address,
        _ account: InternetArchiveSandboxConfiguration.Account
    ) {
        guard let metadata = parseMetadata(request, response),
            prepareWrite(
                request, response, address, account, incoming: request.contentLength ?? 0,
                metadata: metadata)
        else { return }
        let path = store.newBlobPath()
        guard let received = receiveBody(request, response, to: path) else { return }
        guard checkDigest(request, response, received) else {
            unlink(path)
            return
        }
        store.store(
            IAItemStore.StoredFile(
                name: address.key, size: received.size, md5: received.md5,
                mtime: Int64(Date().timeIntervalSince1970), blobPath: path,
                visibleAt: ContinuousClock.now + controls.ingestDelay),
            in: address.identifier)
        controls.count { $0.filesStored += 1 }
        response.send(status: 200, headers: [("ETag", "\"\(received.md5)\"")])
    }

    func deleteObject(
        _ request: ServerRequest, _ response: IAReply, _ address: Address,
        _ account: InternetArchiveSandboxConfiguration.Account
    ) {
        guard let item = store.item(address.identifier) else {
            IAS3Answers.send(
                response, status: 404, code: "NoSuchBucket", message: "The specified bucket does not exist.")
            return
        }
        guard checkOwner(item, account, response) else { return }
        guard store.remove(address.key, from: address.identifier) else {
            IAS3Answers.send(response, status: 404, code: "NoSuchKey", message: "The specified key does not exist.")
            return
        }
        response.send(status: 204)
    }

    func getObject(_ request: ServerRequest, _ response: IAReply, _ address: Address) {
        guard let file = store.item(address.identifier)?.files[address.key], let path = file.blobPath else {
            IAS3Answers.send(response, status: 404, code: "NoSuchKey", message: "The specified key does not exist.")
            return
        }
        try? response.sendFile(status: 200, headers: [("ETag", "\"\(file.md5)\"")], path: path)
    }

    // MARK: shared steps

    /// The metadata headers, or nil after a 400 for a malformed header name.
    func parseMetadata(
        _ request: ServerRequest,
        _ response: IAReply
    ) -> [(key: String, values: [String])]? {
        switch IAMetaHeaders.parse(request.headers) {
        case .success(let metadata):
            return metadata
        case .failure(let refusal):
            IAS3Answers.send(
                response, status: 400, code: "InvalidArgument",
                message: "Invalid metadata header \(refusal.header): \(refusal.reason).")
            return nil
        }
    }

    /// Owner, darkness, size limit and auto-make-bucket checks for a write of `incoming` bytes; creates a missing
    /// item with `metadata`. False after answering a refusal.
    func prepareWrite(
        _ request: ServerRequest, _ response: IAReply, _ address: Address,
        _ account: InternetArchiveSandboxConfiguration.Account, incoming: Int64,
        metadata: [(key: String, values: [String])]
    ) -> Bool {
        if let item = store.item(address.identifier) {
            guard checkOwner(item, account, response) else { return false }
            let replaced = item.files[address.key]?.size ?? 0
            let total = item.size - replaced + incoming
            guard total <= configuration.maxItemSize else {
                IAS3Answers.send(
                    response, status: 403, code: "AccessDenied", message: "Access Denied",
                    resource: IAS3Answers.sizeLimitResource(total: total, limit: configuration.maxItemSize))
                return false
            }
            return true
        }
        let autoMake =
            request.header("x-archive-auto-make-bucket") == "1" || request.header("x-amz-auto-make-bucket") == "1"
        guard autoMake else {
            IAS3Answers.send(
                response, status: 404, code: "NoSuchBucket", message: "The specified bucket does not exist.")
            return false
        }
        guard incoming <= configuration.maxItemSize else {
            IAS3Answers.send(
                response, status: 403, code: "AccessDenied", message: "Access Denied",
                resource: IAS3Answers.sizeLimitResource(total: incoming, limit: configuration.maxItemSize))
            return false
        }
        store.createIfMissing(newItem(address.identifier, metadata, account))
        return true
    }

    func checkOwner(
        _ item: IAItemStore.Item, _ account: InternetArchiveSandboxConfiguration.Account,
        _ response: IAReply
    ) -> Bool {
        guard !item.dark, item.owner == account.accessKey else {
            IAS3Answers.send(
                response, status: 403, code: "AccessDenied", message: "Access Denied",
                resource: item.dark
                    ? "The item \(item.identifier) is dark."
                    : "You do not have permission to write to the item \(item.identifier).")
            return false
        }
        return true
    }

    func newItem(
        _ identifier: String, _ metadata: [(key: String, values: [String])],
        _ account: InternetArchiveSandboxConfiguration.Account
    ) -> IAItemStore.Item {
        IAItemStore.Item(
            identifier: identifier, owner: account.accessKey, uploader: account.email,
            metadata: Self.withDefaults(metadata, identifier, account), dark: false, declaredSize: nil,
            created: Int64(Date().timeIntervalSince1970))
    }

    /// IA's defaults for a new item: identifier, mediatype `data`, collection `opensource`, title = identifier,
    /// uploader = the account's e-mail.
    static func withDefaults(
        _ metadata: [(key: String, values: [String])], _ identifier: String,
        _ account: InternetArchiveSandboxConfiguration.Account
    ) -> [(key: String, values: [String])] {
        var out = metadata.filter { $0.key != "identifier" && $0.key != "uploader" }
        out.insert(("identifier", [identifier]), at: 0)
        for (key, value) in [("mediatype", "data"), ("collection", "opensource"), ("title", identifier)]
        where !out.contains(where: { $0.key == key }) {
            out.append((key, [value]))
        }
        out.append(("uploader", [account.email]))
        return out
    }

    struct Received {
        let size: Int64
        let md5: String
        let digest: [UInt8]
        /// `running` carried over the body, when one was given.
        let running: MD5?
    }

    /// Streams the body into `path` with its MD5; nil when the client went away mid-body (a new file is removed).
    /// With `offset`, writes into an existing file from there (cut to that length first), also feeding `running`.
    func receiveBody(
        _ request: ServerRequest, _ response: IAReply, to path: String, at offset: Int64? = nil,
        running: MD5? = nil
    ) -> Received? {
        let fd =
            offset == nil
            ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            : open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0, offset.map({ ftruncate(fd, off_t($0)) == 0 && lseek(fd, off_t($0), SEEK_SET) >= 0 }) ?? true
        else {
            if fd >= 0 { close(fd) }
            IAS3Answers.send(response, status: 500, code: "InternalError", message: "The sandbox cannot store data.")
            return nil
        }
        var md5 = MD5()
        var whole = running
        var size: Int64 = 0
        do {
            try request.readBody { bytes in
                md5.update(bytes)
                whole?.update(bytes)
                try DurableFile.writeAll(fd: fd, buffer: bytes, path: path)
                size += Int64(bytes.count)
            }
            close(fd)
        } catch {
            close(fd)
            if offset == nil { unlink(path) }
            return nil
        }
        return Received(size: size, md5: md5.hexDigest(), digest: md5.digest(), running: whole)
    }

    /// True when Content-MD5 is absent or matches (hex or base64); else answers 400 BadDigest with IA's text.
    func checkDigest(_ request: ServerRequest, _ response: IAReply, _ received: Received) -> Bool {
        guard let given = request.header("content-md5") else { return true }
        let base64 = Data(received.digest).base64EncodedString()
        if given.lowercased() == received.md5 || given == base64 { return true }
        controls.count { $0.badDigests += 1 }
        IAS3Answers.send(
            response, status: 400, code: "BadDigest", message: IAS3Answers.badDigestMessage,
            resource: "content-md5 submitted with PUT: \(given) != recieved data md5: \(received.md5)"
                + "also not equal to base64 version: \(base64)")
        return false
    }
}
