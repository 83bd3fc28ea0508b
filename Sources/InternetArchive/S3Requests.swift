import Essentials
import HTTPClientKit

/// Builds the IAS3 requests for one item: URLs quoted like the `ia` client, LOW auth, Content-MD5 as hex,
/// `Expect: 100-continue` on every body so a refusal comes before the bytes.
struct S3Requests: Sendable {
    let endpoints: IAEndpoints
    /// Nil only for a session that never talks to IAS3 (``ItemUploader/verifyRemote(itemPath:timeout:)`` without keys).
    let credentials: IACredentials?
    let identifier: String
    let stallTimeout: Duration

    /// Hides the secret key in what IA says back.
    var mask: SecretMask { credentials?.mask ?? SecretMask() }

    /// `{s3}/{identifier}/{quote(key)}`.
    func objectURL(_ key: String) -> String {
        endpoints.s3 + "/" + identifier + "/" + IAEncoding.quote(key)
    }

    /// The item-level headers every object PUT (or initiate) carries: auto-make-bucket, size hint, derive, metadata.
    static func itemHeaders(sizeHint: Int64, derive: Bool, metadata: [HTTPHeader]) -> [HTTPHeader] {
        [
            HTTPHeader("x-archive-auto-make-bucket", "1"),
            HTTPHeader("x-archive-size-hint", String(sizeHint)),
            HTTPHeader("x-archive-queue-derive", derive ? "1" : "0"),
        ] + metadata
    }

    /// One whole file in one PUT.
    func put(_ file: ItemFile, md5: String, itemHeaders: [HTTPHeader]) -> HTTPRequest {
        var request = base("PUT", objectURL(file.key), body: .file(path: file.path, offset: 0, length: file.size))
        request.headers.append(HTTPHeader("Content-MD5", md5))
        request.headers += itemHeaders
        return request
    }

    /// `POST …?uploads`: starts a multipart upload; carries the item headers like a PUT.
    func initiate(_ key: String, itemHeaders: [HTTPHeader]) -> HTTPRequest {
        var request = base("POST", objectURL(key) + "?uploads", body: .none)
        request.headers += itemHeaders
        return request
    }

    /// `PUT …?partNumber=n&uploadId=…` with the part's bytes.
    func putPart(
        _ file: ItemFile, number: Int, offset: Int64, length: Int64, md5: String,
        uploadID: String
    ) -> HTTPRequest {
        var request = base(
            "PUT", objectURL(file.key) + "?partNumber=\(number)&uploadId=" + quoteQuery(uploadID),
            body: .file(path: file.path, offset: offset, length: length))
        request.headers.append(HTTPHeader("Content-MD5", md5))
        return request
    }

    /// `POST …?uploadId=…` with the `<CompleteMultipartUpload>` list of parts.
    func complete(_ key: String, uploadID: String, parts: [(number: Int, etag: String)]) -> HTTPRequest {
        var xml = "<CompleteMultipartUpload>"
        for part in parts {
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(MarkupText.escape(part.etag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        var request = base("POST", objectURL(key) + "?uploadId=" + quoteQuery(uploadID), body: .bytes(Array(xml.utf8)))
        request.headers.append(HTTPHeader("Content-Type", "application/xml"))
        return request
    }

    /// `DELETE …?uploadId=…`: gives a multipart upload up for good.
    func abort(_ key: String, uploadID: String) -> HTTPRequest {
        base("DELETE", objectURL(key) + "?uploadId=" + quoteQuery(uploadID), body: .none)
    }

    /// `GET …?uploadId=…`: the parts IA holds (ListParts), from `marker` on.
    func listParts(_ key: String, uploadID: String, marker: Int) -> HTTPRequest {
        var url = objectURL(key) + "?uploadId=" + quoteQuery(uploadID)
        if marker > 0 { url += "&part-number-marker=\(marker)" }
        return base("GET", url, body: .none)
    }

    /// `GET {s3}/?check_limit=1&accesskey=…&bucket=…`, without Authorization (as the `ia` client sends it).
    func checkLimit() -> HTTPRequest {
        var request = HTTPRequest(
            method: "GET",
            url: endpoints.s3 + "/?check_limit=1&accesskey="
                + quoteQuery(credentials?.accessKey ?? "") + "&bucket=" + quoteQuery(identifier),
            response: .memory(limit: 1 << 20))
        request.timeout = .seconds(15)
        request.stallTimeout = .seconds(15)
        return request
    }

    private func base(_ method: String, _ url: String, body: HTTPRequest.Body) -> HTTPRequest {
        var request = HTTPRequest(
            method: method, url: url,
            headers: credentials.map { [HTTPHeader("Authorization", $0.authorization)] } ?? [],
            body: body, response: .memory(limit: 16 << 20))
        request.expectContinue = body.length > 0
        request.stallTimeout = stallTimeout
        request.connectTimeout = .seconds(30)
        return request
    }

    private func quoteQuery(_ text: String) -> String { IAEncoding.quote(text, safe: "") }

    /// The request as a dry run shows it: method, URL, headers (secret masked), framing and body size.
    func describe(_ request: HTTPRequest) -> String {
        var lines = ["\(request.method) \(request.url)"]
        for header in request.headers {
            let value = header.hasName("Authorization") ? credentials?.maskedAuthorization ?? "" : header.value
            lines.append("  \(header.name): \(value)")
        }
        let length = request.body.length
        let hasBody: Bool
        if case .none = request.body { hasBody = false } else { hasBody = true }
        if hasBody || request.method == "PUT" || request.method == "POST" {
            lines.append("  Content-Length: \(length)")
        }
        if request.expectContinue && length > 0 { lines.append("  Expect: 100-continue") }
        lines.append("  (body: \(length) bytes)")
        return lines.joined(separator: "\n")
    }
}
