import CCurl
import Essentials

extension Transfer {
    /// Receive buffer per transfer (CURLOPT_BUFFERSIZE).
    static let receiveBufferSize = 256 << 10
    /// Send buffer per transfer (CURLOPT_UPLOAD_BUFFERSIZE; libcurl's maximum is 2 MiB).
    static let uploadBufferSize = 2 << 20

    /// Creates and configures the easy handle, opens the files. Runs on the loop thread.
    func makeEasyHandle() throws -> UnsafeMutableRawPointer {
        guard let easy = curl_easy_init() else {
            throw HTTPError(.other, "libcurl could not create a transfer for \(subject); free some memory and retry")
        }
        self.easy = easy
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        buffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        errorBuffer = buffer
        try setPointer(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(buffer))

        try setString(CURLOPT_URL, request.url)
        try setLong(CURLOPT_NOSIGNAL, 1)
        try setLong(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        try setString(CURLOPT_PROTOCOLS_STR, "http,https")
        try setString(CURLOPT_USERAGENT, userAgent)
        try setLong(CURLOPT_BUFFERSIZE, Transfer.receiveBufferSize)
        try setLong(CURLOPT_UPLOAD_BUFFERSIZE, Transfer.uploadBufferSize)
        try setLong(CURLOPT_TCP_KEEPALIVE, 1)
        try setLong(CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.roundedUpMilliseconds)
        if let timeout = request.timeout {
            try setLong(CURLOPT_TIMEOUT_MS, timeout.roundedUpMilliseconds)
        }
        if request.freshConnection {
            try setLong(CURLOPT_FRESH_CONNECT, 1)
        }
        if request.followRedirects {
            try setLong(CURLOPT_FOLLOWLOCATION, 1)
            try setLong(CURLOPT_MAXREDIRS, 5)
            try setString(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        }
        if request.acceptsCompression {
            try setString(CURLOPT_ACCEPT_ENCODING, "")
        }
        try installCallbacks()
        try configureMethod()
        try configureHeaders()
        try openBodyFile()
        try openResponseFile()
        return easy
    }

    private func installCallbacks() throws {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try setCallback(CURLOPT_WRITEFUNCTION, CurlCallbacks.body)
        try setPointer(CURLOPT_WRITEDATA, context)
        try setCallback(CURLOPT_HEADERFUNCTION, CurlCallbacks.header)
        try setPointer(CURLOPT_HEADERDATA, context)
        // Always set, also without a body: libcurl's default read function reads stdin.
        try setCallback(CURLOPT_READFUNCTION, CurlCallbacks.upload)
        try setPointer(CURLOPT_READDATA, context)
        try check(ccurl_easy_setopt_seek_callback(easy, CURLOPT_SEEKFUNCTION, CurlCallbacks.seek), "SEEKFUNCTION")
        try setPointer(CURLOPT_SEEKDATA, context)
        // The progress callback also watches for stalls and the speed floor (libcurl's LOW_SPEED_* would end the
        // transfer with a generic timeout, and only once the response has started).
        if request.progress != nil || request.stallTimeout != nil || request.minimumSpeed != nil {
            try check(
                ccurl_easy_setopt_xferinfo_callback(easy, CURLOPT_XFERINFOFUNCTION, CurlCallbacks.progress),
                "XFERINFOFUNCTION")
            try setPointer(CURLOPT_XFERINFODATA, context)
            try setLong(CURLOPT_NOPROGRESS, 0)
        }
    }

    /// GET/HEAD/POST/PUT map to libcurl's own modes; other methods go through CURLOPT_CUSTOMREQUEST.
    private func configureMethod() throws {
        let method = request.method
        let hasBody: Bool
        if case .none = request.body { hasBody = false } else { hasBody = true }
        switch method {
        case "HEAD":
            try setLong(CURLOPT_NOBODY, 1)
        case "POST":
            try setLong(CURLOPT_POST, 1)
            try setOff(CURLOPT_POSTFIELDSIZE_LARGE, uploadLength)
        case "PUT":
            try setLong(CURLOPT_UPLOAD, 1)
            try setOff(CURLOPT_INFILESIZE_LARGE, uploadLength)
        case "GET" where !hasBody:
            try setLong(CURLOPT_HTTPGET, 1)
        default:
            if hasBody {
                try setLong(CURLOPT_UPLOAD, 1)
                try setOff(CURLOPT_INFILESIZE_LARGE, uploadLength)
            }
            try setString(CURLOPT_CUSTOMREQUEST, method)
        }
    }

    /// The caller's headers in order, plus the Expect policy; libcurl's default POST Content-Type is suppressed.
    private func configureHeaders() throws {
        var lines: [String] = request.headers.map { header in
            header.value.isEmpty ? header.name + ";" : header.name + ": " + header.value
        }
        if request.header("Expect") == nil {
            lines.append(request.expectContinue && uploadLength > 0 ? "Expect: 100-continue" : "Expect:")
        }
        if request.method == "POST" && request.header("Content-Type") == nil {
            lines.append("Content-Type:")
        }
        for line in lines {
            guard let list = curl_slist_append(headerList, line) else {
                throw HTTPError(.other, "libcurl could not store the headers of \(subject); free some memory and retry")
            }
            headerList = list
        }
        if let headerList {
            try check(ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList), "HTTPHEADER")
        }
    }

    private func openBodyFile() throws {
        guard case .file(let path, let offset, let length) = request.body else { return }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fileError("open", path, errno, fix: "check that the file exists and is readable") }
        uploadFD = fd
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw fileError("inspect", path, errno, fix: "check the file") }
        let size = Int64(info.st_size)
        guard offset <= size, length <= size - offset else {
            throw HTTPError(
                .fileAccess,
                "the file \(path) has \(size) bytes, fewer than the \(length) bytes at offset "
                    + "\(offset) that \(subject) should send; check that the file was not truncated")
        }
        #if canImport(Glibc)
        _ = posix_fadvise(fd, off_t(offset), off_t(length), POSIX_FADV_SEQUENTIAL)
        #endif
    }

    private func openResponseFile() throws {
        guard case .file(let path) = request.response else { return }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw fileError("create", path, errno, fix: "check that the folder exists and is writable")
        }
        responseFD = fd
        responsePath = path
    }

    func fileError(_ operation: String, _ path: String, _ code: Int32, fix: String) -> HTTPError {
        let text = FileError(operation: operation, path: path, errno: code).description
        return HTTPError(.fileAccess, "\(text) for \(subject); \(fix)")
    }

    // MARK: typed setopt

    private func setLong(_ option: CURLoption, _ value: Int) throws {
        try check(ccurl_easy_setopt_long(easy, option, value), "option \(option.rawValue)")
    }

    private func setOff(_ option: CURLoption, _ value: Int64) throws {
        try check(ccurl_easy_setopt_off(easy, option, curl_off_t(value)), "option \(option.rawValue)")
    }

    private func setString(_ option: CURLoption, _ value: String) throws {
        try check(ccurl_easy_setopt_string(easy, option, value), "option \(option.rawValue)")
    }

    private func setPointer(_ option: CURLoption, _ value: UnsafeMutableRawPointer?) throws {
        try check(ccurl_easy_setopt_ptr(easy, option, value), "option \(option.rawValue)")
    }

    private func setCallback(_ option: CURLoption, _ callback: ccurl_data_callback) throws {
        try check(ccurl_easy_setopt_data_callback(easy, option, callback), "option \(option.rawValue)")
    }

    private func check(_ code: CURLcode, _ what: String) throws {
        guard code == CURLE_OK else {
            let reason = String(cString: curl_easy_strerror(code))
            throw HTTPError(
                code == CURLE_UNKNOWN_OPTION || code == CURLE_NOT_BUILT_IN ? .other : .invalidRequest,
                "libcurl refused \(what) for \(subject) (\(reason)); check the request and the libcurl version")
        }
    }
}
