import Foundation
import HTTPServerKit

/// The fake IAS3: LOW auth, IA's identifier rule and refusals, SlowDown and `check_limit`, objects and
/// multipart uploads stored on disk. Handlers run on the server's connection threads.
final class IAS3Service: IAService {
    static let host = IARequestRecord.Host.s3
    let parts: IAServiceParts

    init(parts: IAServiceParts) {
        self.parts = parts
    }

    /// One parsed object address: `/{identifier}[/{key}]`.
    struct Address {
        let identifier: String
        /// Empty for the bucket itself.
        let key: String
    }

    func handle(_ request: ServerRequest, _ serverResponse: ServerResponse) {
        answer(request, serverResponse) { respond(request, $0) }
    }

    private func respond(_ request: ServerRequest, _ response: IAReply) {
        if request.path == "/" || request.path.isEmpty {
            serviceRoot(request, response)
            return
        }
        let address = Self.address(request.path)
        defer {
            if request.method == "PUT" {
                store.countReceived(request.bytesReceived, identifier: address.identifier, key: address.key)
            }
        }
        if let fault = controls.nextFault() {
            inject(fault, request, response)
            return
        }
        guard let account = authenticate(request, response) else { return }
        let writes = request.method == "PUT" || request.method == "POST"
        if writes && (request.isChunked || (request.method == "PUT" && request.contentLength == nil)) {
            controls.count { $0.missingLengths += 1 }
            IAS3Answers.send(
                response, status: 411, code: "MissingContentLength",
                message: "You must provide the Content-Length HTTP header.")
            return
        }
        if let simulated = request.header("x-archive-simulate-error") ?? request.header("x-amz-simulate-error") {
            simulate(simulated, response)
            return
        }
        if let refusal = identifierProblem(address.identifier, creating: store.item(address.identifier) == nil) {
            IAS3Answers.send(
                response, status: 400, code: "InvalidBucketName", message: IAS3Answers.invalidBucketMessage,
                resource: refusal)
            return
        }
        if writes {
            if controls.isSpam(address.identifier) {
                controls.count { $0.spamRefusals += 1 }
                IAS3Answers.send(
                    response, status: 503, code: "SlowDown", message: IAS3Answers.slowDownMessage,
                    resource: IAS3Answers.spamResource(identifier: address.identifier, email: account.email))
                return
            }
            if controls.takeSlowDown() {
                IAS3Answers.send(
                    response, status: 503, code: "SlowDown", message: IAS3Answers.slowDownMessage,
                    resource: IAS3Answers.queueResource)
                return
            }
        }
        guard writes else {
            route(request, response, address, account)
            return
        }
        controls.writing(address.identifier, reply: response) { route(request, response, address, account) }
    }

    private func route(
        _ request: ServerRequest, _ response: IAReply, _ address: Address,
        _ account: InternetArchiveSandboxConfiguration.Account
    ) {
        let uploadID = request.queryValue("uploadId")
        let hasUploads = request.query.contains { $0.name == "uploads" }
        switch (request.method, address.key.isEmpty) {
        case ("PUT", true): putBucket(request, response, address, account)
        case ("PUT", false) where uploadID != nil: putPart(request, response, address, account)
        case ("PUT", false): putObject(request, response, address, account)
        case ("POST", false) where hasUploads: initiate(request, response, address, account)
        case ("POST", false) where uploadID != nil: complete(request, response, address, account)
        case ("DELETE", false) where uploadID != nil: abort(request, response, address, account)
        case ("DELETE", false): deleteObject(request, response, address, account)
        case ("GET", false) where uploadID != nil: listParts(request, response, address, account)
        case ("GET", _) where hasUploads: listUploads(request, response, address)
        case ("GET", false), ("HEAD", false): getObject(request, response, address)
        case ("GET", true), ("HEAD", true):
            response.send(status: store.item(address.identifier) == nil ? 404 : 200)
        default:
            IAS3Answers.send(
                response, status: 405, code: "MethodNotAllowed",
                message: "The specified method is not allowed against this resource.")
        }
    }

    /// `/?check_limit=1` (no auth), `/?check_auth=1`, or an empty bucket list.
    private func serviceRoot(_ request: ServerRequest, _ response: IAReply) {
        if request.queryValue("check_limit") == "1" {
            let over = controls.takeOverLimit()
            var answer: [String: Any] = [
                "over_limit": over,
                "detail": [
                    "accesskey_ration": 74, "accesskey_tasks_queued": 0, "bucket_ration": 24,
                    "bucket_tasks_queued": 0, "limit_reason": over == 0 ? "" : IAS3Answers.queueResource,
                    "rationing_engaged": over, "rationing_level": 1399, "total_global_limit": 1799,
                    "total_tasks_queued": over == 0 ? 1017 : 1900,
                ] as [String: Any],
            ]
            if let key = request.queryValue("accesskey") { answer["accesskey"] = key }
            if let bucket = request.queryValue("bucket") { answer["bucket"] = bucket }
            sendJSON(response, answer)
        } else if request.queryValue("check_auth") == "1" {
            guard let account = authenticate(request, response) else { return }
            sendJSON(response, ["username": account.email, "screenname": account.email, "itemname": "@sandbox"])
        } else {
            response.send(
                status: 200, headers: [("Content-Type", "application/xml")],
                body: Array(
                    "<?xml version='1.0' encoding='UTF-8'?>\n<ListAllMyBucketsResult><Buckets /></ListAllMyBucketsResult>"
                        .utf8))
        }
    }

    /// The account of a valid `Authorization: LOW access:secret`, or nil after answering 403.
    func authenticate(
        _ request: ServerRequest,
        _ response: IAReply
    ) -> InternetArchiveSandboxConfiguration.Account? {
        guard let header = request.header("authorization") else {
            IAS3Answers.send(
                response, status: 403, code: "AccessDenied", message: "Access Denied",
                resource: "no Authorization header; send LOW accesskey:secret")
            return nil
        }
        if header.hasPrefix("LOW "), let colon = header.dropFirst(4).firstIndex(of: ":") {
            let access = String(header.dropFirst(4)[..<colon])
            let secret = String(header[header.index(after: colon)...])
            if let account = controls.account(accessKey: access), account.secretKey == secret { return account }
        }
        controls.count { $0.badKeys += 1 }
        IAS3Answers.send(response, status: 403, code: "InvalidAccessKeyId", message: IAS3Answers.badKeyMessage)
        return nil
    }

    /// IA's Resource text when `identifier` breaks the rule (upper case too, when switched on and creating).
    func identifierProblem(_ identifier: String, creating: Bool) -> String? {
        let bytes = Array(identifier.utf8)
        let allowed = bytes.allSatisfy { byte in
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
                || byte == 95 || byte == 46 || byte == 45
        }
        let firstOK = bytes.first.map { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
        guard allowed, firstOK == true, (5...101).contains(bytes.count) else {
            return IAS3Answers.invalidBucketResource
        }
        if creating && configuration.rejectUpperCaseIdentifiers && bytes.contains(where: { (65...90).contains($0) }) {
            return IAS3Answers.invalidBucketResource
        }
        return nil
    }

    private func simulate(_ code: String, _ response: IAReply) {
        if code == "help" {
            let list = IAS3Answers.simulated.keys.sorted().joined(separator: ", ")
            IAS3Answers.send(
                response, status: 400, code: "InvalidArgument",
                message: "x-archive-simulate-error knows: \(list)")
            return
        }
        let known = IAS3Answers.simulated[code] ?? (500, "We encountered an internal error. Please try again.")
        if known.status == 503 { controls.count { $0.slowDowns += 1 } }
        IAS3Answers.send(
            response, status: known.status, code: code, message: known.message,
            resource: IAS3Answers.simulatedResource)
    }

    private func inject(_ fault: IASandboxControls.Fault, _ request: ServerRequest, _ response: IAReply) {
        switch fault {
        case .reset:
            // Uploads lose their connection halfway through the body; other requests before any answer.
            if let length = request.contentLength, length > 1 {
                var read: Int64 = 0
                try? request.readBody { bytes in
                    read += Int64(bytes.count)
                    if read >= length / 2 { throw CancellationError() }
                }
            }
            response.reset()
        case .status500:
            IAS3Answers.send(
                response, status: 500, code: "InternalError",
                message: "We encountered an internal error. Please try again.")
        }
    }

    func sendJSON(_ response: IAReply, _ object: Any, status: Int = 200) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        response.send(status: status, headers: [("Content-Type", "application/json")], body: Array(data))
    }

    static func address(_ path: String) -> Address {
        var rest = Substring(path)
        while rest.hasPrefix("/") { rest = rest.dropFirst() }
        guard let slash = rest.firstIndex(of: "/") else { return Address(identifier: String(rest), key: "") }
        return Address(identifier: String(rest[..<slash]), key: String(rest[rest.index(after: slash)...]))
    }
}
