import Essentials
import Foundation
import HTTPClientKit
import Logging

/// How the Graph API answered one request.
enum APIVerdict {
    /// A 2xx answer that is JSON: the scanned body and its bytes.
    case ok(GraphBody, bytes: [UInt8])
    case lessData(String)
    case transient(String, after: Duration?)
    case notFound(String)
    case refused(String)
}

extension MapillaryClient {
    /// Immediate retries (smaller pages, fresh URLs) allowed per operation.
    static let maximumImmediateRetries = 16

    /// Runs `attempt` until it is done, sleeping between retryable failures (``RetryPolicy/drive``); throws
    /// `retriesExhausted` naming `what`, the last reason and the time spent, or `timeLimit` when the next try
    /// could not start within `timeLimit` of the first. `onRetry` hears each retry after a failure.
    func retrying<T>(
        _ what: String, timeLimit: Duration? = nil,
        onRetry: (@Sendable (_ attempt: Int, _ reason: String) -> Void)? = nil,
        _ attempt: () async throws -> RetryStep<T, String>
    ) async throws -> T {
        let started = ContinuousClock.now
        return try await retry.drive(
            immediateRetries: Self.maximumImmediateRetries, timeLimit: timeLimit, attempt,
            willRetry: { attempts, reason, delay in
                onRetry?(attempts, reason)
                logger.debug(
                    "Mapillary request failed; retrying",
                    metadata: [
                        "what": .string(what), "reason": .string(reason), "attempt": "\(attempts)",
                        "delay": .string("\(delay)"),
                    ])
            },
            end: { end in
                switch end {
                case .attemptsExhausted(let reason, let attempts), .immediateRetriesExhausted(let reason, let attempts):
                    return exhausted(what, reason: reason, attempts: attempts, since: started)
                case .timeLimit(let reason, let attempts):
                    return overTime(what, reason: reason, attempts: attempts, limit: timeLimit ?? .zero)
                case .cancelled:
                    return CancellationError()
                }
            })
    }

    private func exhausted(
        _ what: String, reason: String, attempts: Int, since start: ContinuousClock.Instant
    )
        -> MapillaryError
    {
        let elapsed = ContinuousClock().now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let shown = seconds < 1 ? "\(Int(seconds * 1000)) ms" : ByteFormat.duration(seconds: seconds)
        return MapillaryError(
            .retriesExhausted,
            "Mapillary kept failing while \(what): \(attempts) attempts over \(shown), last \(reason); check the network or try again later"
        )
    }

    private func overTime(_ what: String, reason: String, attempts: Int, limit: Duration) -> MapillaryError {
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        let shown = seconds < 1 ? "\(Int(seconds * 1000)) ms" : ByteFormat.duration(seconds: seconds)
        return MapillaryError(
            .timeLimit,
            "gave up \(what) after its time limit of \(shown) (\(attempts) attempts, last \(reason)); the next run tries it again"
        )
    }

    /// A GET to the API with the token in the header. It asks for a compressed answer (a page's JSON shrinks about
    /// sixfold with gzip); the body comes back decoded, byte for byte what the API wrote.
    func apiRequest(_ url: String) -> HTTPRequest {
        var request = HTTPRequest(
            url: url,
            headers: [
                HTTPHeader("Authorization", "OAuth " + token),
                HTTPHeader("Accept", "application/json"),
            ], response: .memory(limit: 256 << 20))
        request.acceptsCompression = true
        request.timeout = apiTimeout
        request.stallTimeout = nil
        return request
    }

    /// Sends a GET to the API through the shared ``APIGate``: it waits for the token's first check and for any
    /// rate-limit pause, and tells the gate what the answer showed.
    func sendAPI(_ url: String) async throws -> SendOutcome {
        let probe = try await gate.enter()
        var verdictGiven = false
        defer { if probe && !verdictGiven { gate.probeEnded() } }
        let outcome = try await send(apiRequest(url))
        guard case .response(let response) = outcome else { return outcome }
        if (200..<300).contains(response.status) {
            gate.tokenAccepted()
            gate.passed()
            verdictGiven = true
            return outcome
        }
        // Error bodies are small: read once here for what concerns every job.
        let graph: GraphError?
        if case .error(let error)? = try? GraphBody.scan(response.body) { graph = error } else { graph = nil }
        if response.status == 401 || graph?.isTokenProblem == true {
            gate.tokenRejected(Self.tokenError(graph?.summary(hiding: tokenMask) ?? "HTTP 401"))
            verdictGiven = true
        } else if response.status == 429 || graph?.code.map(APIGate.rateLimitCodes.contains) == true {
            if let pause = gate.limited(retryAfter: response.retryAfter, policy: retry) {
                logger.warning(
                    "Mapillary's rate limit was reached; every API request of this run waits \(pause.shortText) before the next one"
                )
            }
        } else {
            gate.passed()
        }
        return outcome
    }

    /// Sends `request`; a transient transport failure comes back as `.transient(reason)` for the
    /// retry loop, any other transport failure is thrown.
    func send(_ request: HTTPRequest) async throws -> SendOutcome {
        do {
            return .response(try await http.send(request))
        } catch let error as HTTPError {
            // The transport's own advice (after "; ") gives way to this module's.
            let phrase = error.description.components(separatedBy: "; ").first ?? error.description
            let text = MapillaryError.sanitized(phrase, hiding: tokenMask)
            if error.code == .cancelled { throw CancellationError() }
            if error.isTransient { return .transient(text) }
            if error.code == .bodyTooLarge { throw MapillaryError(.imageTooLarge, text) }
            throw MapillaryError(.network, "a request to Mapillary failed (\(text)); check the network and the URL")
        }
    }

    /// Sends a GET to the API (``sendAPI(_:)``) and judges the answer (``judge(_:)``); a transient transport failure
    /// is a `.transient` verdict.
    func askAPI(_ url: String) async throws -> APIVerdict {
        switch try await sendAPI(url) {
        case .response(let response): return try judge(response)
        case .transient(let reason): return .transient(reason, after: nil)
        }
    }

    /// Classifies an API answer; throws `tokenRejected` for a refused token. Any JSON `error` object is an error,
    /// whatever the status.
    func judge(_ response: HTTPResponse) throws -> APIVerdict {
        let body = try? GraphBody.scan(response.body)
        let status = response.status
        let transientStatus = status == 429 || status >= 500
        let after = response.retryAfter
        if case .error(let graph)? = body {
            let summary = "HTTP \(status): " + graph.summary(hiding: tokenMask)
            if status == 401 || graph.isTokenProblem { throw Self.tokenError(graph.summary(hiding: tokenMask)) }
            if graph.asksForLessData { return .lessData(summary) }
            if transientStatus || graph.code.map(GraphError.transientCodes.contains) == true {
                return .transient(summary, after: after)
            }
            if status == 404 { return .notFound(summary) }
            return .refused(summary)
        }
        if status == 401 { throw Self.tokenError("HTTP 401") }
        if transientStatus {
            return .transient("HTTP \(status)" + (body == nil ? " with a body that is not JSON" : ""), after: after)
        }
        guard let body else {
            let type = MapillaryError.sanitized(response.header("Content-Type") ?? "none", limit: 60)
            throw MapillaryError(
                .notJSON,
                "the Mapillary API answered with something that is not JSON (HTTP \(status), content-type \(type)); check --api-url"
            )
        }
        if status == 404 { return .notFound("HTTP 404") }
        guard (200..<300).contains(status) else { return .refused("HTTP \(status)") }
        return .ok(body, bytes: response.body)
    }
}

/// The result of sending one request: a response, or a transport failure worth retrying (reset,
/// timeout, refused connection) described in a sanitised phrase.
enum SendOutcome {
    case response(HTTPResponse)
    case transient(String)
}
