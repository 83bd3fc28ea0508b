import CCurl
import Essentials

/// One request on its way through the loop.
///
/// Thread rule: `send` creates it and hands it to the loop through the Mutex-protected inbox; from then on every
/// mutable property, the easy handle and the file descriptors are used only on the loop thread (libcurl runs the
/// callbacks there too). That confinement is why this class may be `@unchecked Sendable`.
final class Transfer: @unchecked Sendable {
    enum State { case pending, active, finished }

    let request: HTTPRequest
    let shownURL: RedactedURL
    let userAgent: String

    var state = State.pending
    /// A cancel arrived before the add was applied.
    var cancelRequested = false
    var continuation: CheckedContinuation<HTTPResponse, any Error>?

    // libcurl resources, released once in `releaseResources`.
    var easy: UnsafeMutableRawPointer?
    var headerList: UnsafeMutablePointer<curl_slist>?
    var errorBuffer: UnsafeMutablePointer<CChar>?

    // Request body.
    var uploadFD: Int32 = -1
    var uploadPosition: Int64 = 0
    let uploadLength: Int64

    // Response.
    let memoryLimit: Int?
    var responseFD: Int32 = -1
    var responsePath = ""
    var memoryBody: [UInt8] = []
    var received: Int64 = 0
    var responseHeaders: [HTTPHeader] = []
    /// Bytes moved in either direction at the last progress call, and when that count last changed.
    var movedBytes: Int64 = 0
    var lastMovement = ContinuousClock.now
    var stallClockStarted = false
    /// The current window of the speed floor: when it started and the bytes moved by then.
    var speedWindowStart = ContinuousClock.now
    var speedWindowBytes: Int64 = 0
    var speedClockStarted = false
    /// Set by a callback that stopped the transfer on purpose; wins over libcurl's own code.
    var failure: HTTPError?

    init(request: HTTPRequest, userAgent: String) {
        self.request = request
        self.shownURL = RedactedURL(request.url)
        self.userAgent = userAgent
        self.uploadLength = request.body.length
        if case .memory(let limit) = request.response {
            memoryLimit = limit
        } else {
            memoryLimit = nil
        }
    }

    /// "PUT http://host/path", safe for messages.
    var subject: String { "\(request.method) \(shownURL.text)" }

    var cancelledError: HTTPError {
        HTTPError(.cancelled, "\(subject) was cancelled before it finished")
    }

    /// Resumes the waiting task exactly once and frees everything the transfer holds.
    func finish(_ result: Result<HTTPResponse, HTTPError>) {
        guard state != .finished else { return }
        state = .finished
        releaseResources()
        let waiting = continuation
        continuation = nil
        switch result {
        case .success(let response): waiting?.resume(returning: response)
        case .failure(let error): waiting?.resume(throwing: error)
        }
    }

    /// The outcome once libcurl reports the transfer done with `code` (before the handle is released).
    func outcome(_ code: CURLcode) -> Result<HTTPResponse, HTTPError> {
        if let closeFailure = closeResponseFile() {
            failure = failure ?? closeFailure
        }
        if let failure { return .failure(failure) }
        guard code == CURLE_OK else {
            return .failure(
                HTTPError.transport(
                    code, detail: curlDetail(code), transfer: self,
                    reusedConnection: usedReusedConnection))
        }
        var status = 0
        if let easy {
            var value = 0
            if ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &value) == CURLE_OK { status = value }
        }
        let body = memoryBody
        memoryBody = []
        return .success(HTTPResponse(status: status, headers: responseHeaders, body: body, bodyBytes: received))
    }

    /// True when libcurl sent this request on a kept-alive connection instead of opening one.
    private var usedReusedConnection: Bool {
        guard let easy else { return false }
        var connects = 0
        return ccurl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK && connects == 0
    }

    /// libcurl's text for a failure: the per-handle error buffer, else the generic string for `code`.
    private func curlDetail(_ code: CURLcode) -> String {
        if let errorBuffer, errorBuffer[0] != 0 {
            return String(cString: errorBuffer)
        }
        return String(cString: curl_easy_strerror(code))
    }

    /// Closes the response file; returns the error if the close reported one (data may not have been written).
    private func closeResponseFile() -> HTTPError? {
        guard responseFD >= 0 else { return nil }
        let fd = responseFD
        responseFD = -1
        guard close(fd) == 0 else {
            let error = FileError(operation: "close", path: responsePath, errno: errno)
            return HTTPError(.fileAccess, "\(error) while saving the response of \(subject); check the disk and retry")
        }
        return nil
    }

    /// Frees the easy handle, the header list, the error buffer and open files. Safe to call more than once.
    func releaseResources() {
        if let easy {
            curl_easy_cleanup(easy)
            self.easy = nil
        }
        if let headerList {
            curl_slist_free_all(headerList)
            self.headerList = nil
        }
        if let errorBuffer {
            errorBuffer.deallocate()
            self.errorBuffer = nil
        }
        if uploadFD >= 0 {
            close(uploadFD)
            uploadFD = -1
        }
        if responseFD >= 0 {
            close(responseFD)
            responseFD = -1
        }
    }
}
