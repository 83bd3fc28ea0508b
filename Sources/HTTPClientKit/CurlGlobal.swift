import CCurl
import Essentials

/// Process-wide setup done once: `curl_global_init`, and SIGPIPE ignored (sockets are written from many threads).
enum CurlGlobal {
    /// nil when libcurl started; otherwise why it did not.
    static let startupFailure: String? = {
        _ = signal(SIGPIPE, SIG_IGN)
        let code = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        guard code == CURLE_OK else { return String(cString: curl_easy_strerror(code)) }
        return nil
    }()
}
