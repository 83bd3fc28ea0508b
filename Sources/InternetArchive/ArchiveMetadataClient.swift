import Essentials
import HTTPClientKit

/// Reads items from archive.org's metadata API (`GET {archive}/metadata/{identifier}`), retrying network
/// failures, 429 and 5xx answers.
public struct ArchiveMetadataClient: Sendable {
    let http: HTTPClient
    let endpoints: IAEndpoints
    let credentials: IACredentials?
    let retry: RetryPolicy
    let timeout: Duration

    /// `credentials`, when given, go along as LOW auth (IA then shows the owner's own dark items' state).
    public init(
        http: HTTPClient, endpoints: IAEndpoints = IAEndpoints(), credentials: IACredentials? = nil,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(20)),
        timeout: Duration = .seconds(60)
    ) {
        self.http = http
        self.endpoints = endpoints
        self.credentials = credentials
        self.retry = retry
        self.timeout = timeout
    }

    /// The item, or nil when IA has none by that name (`{}`). A dark item comes back with `isDark` set.
    /// Throws `.network`, `.serverFailed` or `.badAnswer` with a sentence.
    public func item(_ identifier: String) async throws -> RemoteItem? {
        let url = endpoints.archive + "/metadata/" + IAEncoding.quote(identifier, safe: "")
        var request = HTTPRequest(method: "GET", url: url, response: .memory(limit: 256 << 20))
        if let credentials { request.headers.append(HTTPHeader("Authorization", credentials.authorization)) }
        request.timeout = timeout
        request.stallTimeout = .seconds(30)
        let sent = request
        let response = try await Self.fetch(sent, http: http, retry: retry, what: "the metadata of \(identifier)")
        return try RemoteItem.parse(response.body, identifier: identifier)
    }

    /// One value list of an item's metadata (`GET {archive}/metadata/{identifier}/metadata/{key}`, which answers
    /// `{"result": …}`); empty when the item or the key is missing.
    public func values(of key: String, in identifier: String) async throws -> [String] {
        let url =
            endpoints.archive + "/metadata/" + IAEncoding.quote(identifier, safe: "") + "/metadata/"
            + IAEncoding.quote(key, safe: "")
        var request = HTTPRequest(method: "GET", url: url, response: .memory(limit: 1 << 20))
        if let credentials { request.headers.append(HTTPHeader("Authorization", credentials.authorization)) }
        request.timeout = timeout
        let response = try await Self.fetch(request, http: http, retry: retry, what: "the \(key) of \(identifier)")
        return JSONValue.archiveObject(response.body)?["result"]?.texts ?? []
    }

    /// Downloads one file of an item (`GET {archive}/download/{identifier}/{name}`, which archive.org answers with a
    /// redirect to the data node holding the item) into `path`, replacing it. Throws a sentence (`.badAnswer` for
    /// a 404: IA does not serve that file).
    public func download(_ name: String, of identifier: String, to path: String) async throws {
        let url =
            endpoints.archive + "/download/" + IAEncoding.quote(identifier, safe: "") + "/"
            + IAEncoding.quote(name, safe: "/")
        var request = HTTPRequest(method: "GET", url: url, response: .file(path: path))
        if let credentials { request.headers.append(HTTPHeader("Authorization", credentials.authorization)) }
        request.followRedirects = true
        request.timeout = .seconds(3600)
        request.stallTimeout = .seconds(60)
        _ = try await Self.fetch(request, http: http, retry: retry, what: "\(name) of \(identifier)")
    }

    /// Sends a GET to archive.org with retries (network failures, 429 and 5xx; a `Retry-After` of up to a minute
    /// is waited out); returns the 200 answer or throws a sentence, with IA's own `error` text when it gave one.
    static func fetch(
        _ request: HTTPRequest, http: HTTPClient, retry: RetryPolicy,
        what: String
    ) async throws -> HTTPResponse {
        try await retry.drive(
            retryAfterCap: .seconds(60),
            { () async throws -> RetryStep<HTTPResponse, InternetArchiveError> in
                do {
                    let response = try await http.send(request)
                    if response.status == 200 { return .done(response) }
                    let status = response.status
                    let says = errorText(response).map { " (IA says: \($0))" } ?? ""
                    if status == 429 {
                        return .retry(
                            InternetArchiveError(
                                .serverFailed,
                                "archive.org kept refusing \(what) with HTTP 429 (too "
                                    + "many requests)\(says); wait a few minutes and try again"),
                            after: response.retryAfter)
                    } else if status >= 500 {
                        return .retry(
                            InternetArchiveError(
                                .serverFailed,
                                "archive.org answered HTTP \(status) when asked for "
                                    + "\(what); try again later"), after: nil)
                    }
                    throw InternetArchiveError(
                        .badAnswer,
                        "archive.org answered HTTP \(status) when asked for "
                            + "\(what)\(says); check --archive-url")
                } catch let error as HTTPError {
                    if error.code == .cancelled { throw cancelled(what) }
                    let failure = InternetArchiveError(
                        .network,
                        "archive.org could not be reached for \(what) (\(error)); "
                            + "check the network and try again")
                    if error.code == .unavailable { throw failure }
                    return .retry(failure, after: nil)
                }
            },
            end: { end in
                switch end {
                case .attemptsExhausted(let failure, _), .immediateRetriesExhausted(let failure, _),
                    .timeLimit(let failure, _),
                    .cancelled(let failure?):
                    return failure
                case .cancelled(nil):
                    return cancelled(what)
                }
            })
    }

    private static func cancelled(_ what: String) -> InternetArchiveError {
        InternetArchiveError(.cancelled, "reading \(what) from archive.org was cancelled")
    }

    /// The `error` of a JSON answer (archive.org's services say what went wrong there), shortened and printable.
    static func errorText(_ response: HTTPResponse) -> String? {
        guard let text = JSONValue.archiveObject(response.body)?["error"]?.scalarText, !text.isEmpty else { return nil }
        let printable = MetadataHeaders.printable(text)
        return printable.count > 200 ? String(printable.prefix(200)) + "…" : printable
    }
}
