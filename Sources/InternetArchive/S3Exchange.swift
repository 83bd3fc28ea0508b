import Essentials
import HTTPClientKit
import Logging

/// Sends one IAS3 request until IA accepts it: waits out SlowDown (503) by polling `check_limit`, retries
/// resets, timeouts and other 5xx with capped exponential backoff, and turns every other refusal into an
/// ``InternetArchiveError`` with one sentence. Stops at once on IA's spam verdict.
struct S3Exchange: Sendable {
    let http: HTTPClient
    let requests: S3Requests
    let options: UploadOptions
    let run: UploadRun
    let logger: Logger

    /// Sends `make()` (built afresh for every attempt) and returns IA's 2xx answer; a request that changes the item
    /// is sent only while ``UploadOptions/mayWrite`` allows it. `what` names the request in
    /// sentences ("the upload of 2024-01-01.tar"). With `retryNotFound`, a 404 other than NoSuchUpload is
    /// retried like a 5xx (IA creates items asynchronously, so parts may 404 for a while after initiate).
    func send(
        _ what: String, retryNotFound: Bool = false,
        _ make: () -> HTTPRequest
    ) async throws -> HTTPResponse {
        var slowDownWaited: Duration = .zero
        return try await options.retry.drive(
            { () async throws -> RetryStep<HTTPResponse, (reason: String, serverSide: Bool)> in
                let request = make()
                if request.method != "GET", request.method != "HEAD", let mayWrite = options.mayWrite,
                    !(await mayWrite())
                {
                    throw InternetArchiveError(
                        .withdrawn,
                        "\(what) was not sent: this process may no longer write the item (a campaign worker whose job another worker took over); nothing more is sent"
                    )
                }
                do {
                    let response = try await http.send(request)
                    if response.isSuccess { return .done(response) }
                    let body = S3ErrorBody(response.body, hiding: requests.mask)
                    switch response.status {
                    case 503:
                        if let body, body.isSpam { throw spam(body) }
                        try await waitForCapacity(what, reason: body?.resource ?? "", waited: &slowDownWaited)
                        return .retryNow(("IA is over its limit", true))
                    case 500...599, 429:
                        return .retry(
                            ("IA answered HTTP \(response.status)" + (body.map { " \($0.code)" } ?? ""), true),
                            after: nil)
                    case 404 where retryNotFound && body?.code != "NoSuchUpload":
                        return .retry(("IA does not know the item yet (HTTP 404)", true), after: nil)
                    default:
                        throw refusal(response, body, what)
                    }
                } catch let error as HTTPError {
                    switch error.code {
                    case .cancelled: throw cancelled(what)
                    case .fileAccess, .invalidRequest, .bodyTooLarge:
                        throw InternetArchiveError(.badItem, error.message)
                    case .unavailable:
                        throw InternetArchiveError(.network, error.message)
                    default:
                        return .retry((error.message, false), after: nil)
                    }
                }
            },
            willRetry: { attempt, failure, delay in
                let short = failure.serverSide ? failure.reason : "connection problem"
                run.retrying("\(short); retrying \(what) in \(Self.seconds(delay))")
                logger.info("retrying \(what) in \(Self.seconds(delay)) (attempt \(attempt)): \(failure.reason)")
            },
            end: { end in
                // No time limit or immediate-retry limit is set: the other end is a cancellation.
                guard case .attemptsExhausted(let failure, let attempts) = end else { return cancelled(what) }
                if failure.serverSide {
                    return InternetArchiveError(
                        .serverFailed,
                        "IA kept failing during \(what) (last: \(failure.reason)) after "
                            + "\(attempts) attempts; run upload again later (finished files are kept)")
                }
                return InternetArchiveError(
                    .network,
                    "the network kept failing during \(what) after \(attempts) "
                        + "attempts (last: \(failure.reason)); check the connection and run upload again (finished files are kept)"
                )
            })
    }

    /// After a SlowDown: pause, ask `check_limit`, and repeat with doubling pauses until IA says `over_limit: 0`.
    private func waitForCapacity(_ what: String, reason: String, waited: inout Duration) async throws {
        var delay = max(options.slowDownInitialDelay, .milliseconds(1))
        let shownReason = reason.isEmpty ? "" : " (\(S3ErrorBody.flatten(reason)))"
        while true {
            guard waited + delay <= options.slowDownMaxWait else {
                throw InternetArchiveError(
                    .overloaded,
                    "IA stayed over its limit\(shownReason) for "
                        + "\(Self.seconds(waited)) during \(what); run upload again later (finished files are kept)")
            }
            run.retrying("IA is over its limit, waiting \(Self.seconds(delay))")
            logger.info("IA is over its limit\(shownReason); waiting \(Self.seconds(delay)) before \(what)")
            try await pause(delay, what)
            waited += delay
            run.addSlowDownWait(delay)
            if await checkLimitAllows() { return }
            delay = min(delay * 2, max(options.slowDownMaxDelay, .milliseconds(1)))
        }
    }

    /// True only when `check_limit` answers JSON with the integer `over_limit: 0`; any error means still over.
    func checkLimitAllows() async -> Bool {
        guard let response = try? await http.send(requests.checkLimit()), response.status == 200,
            let overLimit = JSONValue.archiveObject(response.body)?["over_limit"]
        else { return false }
        return overLimit.isInteger && overLimit.doubleValue == 0
    }

    private func pause(_ delay: Duration, _ what: String) async throws {
        guard delay > .zero else { return }
        do {
            try await Task.sleep(for: delay)
        } catch {
            throw cancelled(what)
        }
    }

    private func cancelled(_ what: String) -> InternetArchiveError {
        InternetArchiveError(
            .cancelled,
            "\(what) was cancelled; run upload again to resume (finished files and parts "
                + "are kept)")
    }

    private func spam(_ body: S3ErrorBody) -> InternetArchiveError {
        InternetArchiveError(
            .spam,
            "IA refuses uploads to \(requests.identifier) as spam (\"\(body.detail)\"); do not "
                + "retry: write to info@archive.org and quote that message in full")
    }

    /// Rounded seconds for messages: "30 s", "0.2 s".
    static func seconds(_ duration: Duration) -> String {
        let millis = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if millis >= 10_000 || millis % 1000 == 0 { return "\((millis + 500) / 1000) s" }
        return "\(millis / 1000).\((millis % 1000) / 100) s"
    }
}
