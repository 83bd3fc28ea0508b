import CCurl
import Essentials

extension HTTPError {
    /// Header names whose values never appear in a message.
    private static let secretHeaderNames = ["authorization", "proxy-authorization", "cookie", "x-amz-security-token"]

    /// Maps a failed libcurl transfer to an error whose message names the request (without secrets) and the fix.
    /// `reusedConnection`: the request went out on a kept-alive connection.
    static func transport(
        _ code: CURLcode, detail rawDetail: String, transfer: Transfer,
        reusedConnection: Bool = false
    ) -> HTTPError {
        var hidden: [String] = []
        for header in transfer.request.headers where secretHeaderNames.contains(where: { header.hasName($0) }) {
            // `OAuth MLY|…`, `LOW key:secret`: the value, its credentials after the scheme, and a secret after ':'.
            hidden.append(header.value)
            if let space = header.value.firstIndex(of: " ") {
                let credentials = header.value[header.value.index(after: space)...]
                hidden.append(String(credentials))
                if let colon = credentials.lastIndex(of: ":") {
                    hidden.append(String(credentials[credentials.index(after: colon)...]))
                }
            }
        }
        let detail = transfer.shownURL.scrub(rawDetail, hiding: hidden)
        let subject = transfer.subject
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return HTTPError(
                .timeout,
                "\(subject) timed out (\(detail)); check that the server is reachable "
                    + "or allow more time, then retry")
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return HTTPError(
                .connectionFailed,
                "could not connect for \(subject) (\(detail)); check that the server "
                    + "is running and reachable, then retry")
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2_STREAM:
            return HTTPError(.connectionReset, "the connection broke during \(subject) (\(detail)); retry the request")
        case CURLE_UNSUPPORTED_PROTOCOL,
            CURLE_WEIRD_SERVER_REPLY where reusedConnection:
            // "Received HTTP/0.9": the bytes an earlier answer on this connection sent beyond its Content-Length.
            return HTTPError(
                .garbledConnection,
                "\(subject) read an answer that is not HTTP on a reused connection "
                    + "(\(detail)), likely left over from an earlier answer longer than it declared; "
                    + "retry the request on a fresh connection")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT:
            return HTTPError(.invalidRequest, "libcurl cannot send \(subject) (\(detail)); fix the URL or the request")
        case CURLE_ABORTED_BY_CALLBACK, CURLE_WRITE_ERROR, CURLE_READ_ERROR:
            return HTTPError(.other, "\(subject) was stopped (\(detail)); retry the request")
        case CURLE_TOO_MANY_REDIRECTS:
            return HTTPError(.other, "\(subject) was redirected too many times (\(detail)); check the URL")
        case CURLE_SEND_FAIL_REWIND:
            return HTTPError(.other, "\(subject) could not resend its body (\(detail)); retry the request")
        default:
            return HTTPError(.other, "\(subject) failed (\(detail)); check the URL and the server, then retry")
        }
    }
}
