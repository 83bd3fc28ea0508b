import CCurl
import Essentials

/// libcurl's C callbacks. Each captures nothing and finds its `Transfer` through the user-data pointer, which the
/// loop keeps alive (its `active` table holds the transfer until the handle is removed).
enum CurlCallbacks {
    static let body: ccurl_data_callback = { buffer, size, count, context in
        guard let context else { return 0 }
        let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        return transfer.receiveBody(UnsafeRawBufferPointer(start: buffer, count: size * count))
    }

    static let header: ccurl_data_callback = { buffer, size, count, context in
        guard let context else { return 0 }
        let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: buffer, count: size * count))
        return size * count
    }

    static let upload: ccurl_data_callback = { buffer, size, count, context in
        guard let context, let buffer else { return ccurl_readfunc_abort }
        let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        return transfer.fillUpload(UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
    }

    static let seek: ccurl_seek_callback = { context, offset, origin in
        guard let context else { return Int32(CURL_SEEKFUNC_FAIL) }
        let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        return transfer.seekUpload(to: Int64(offset), origin: origin)
    }

    static let progress: ccurl_xferinfo_callback = { context, downloadTotal, downloaded, uploadTotal, uploaded in
        guard let context else { return 0 }
        let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        transfer.request.progress?(
            TransferProgress(
                uploaded: Int64(uploaded), uploadTotal: Int64(uploadTotal),
                downloaded: Int64(downloaded), downloadTotal: Int64(downloadTotal)))
        let moved = Int64(uploaded) + Int64(downloaded)
        return transfer.checkStall(moved: moved) && transfer.checkSpeed(moved: moved) ? 0 : 1
    }
}

extension Transfer {
    /// Takes one block of the response body; returns the bytes taken (anything else makes libcurl stop).
    func receiveBody(_ block: UnsafeRawBufferPointer) -> Int {
        let count = block.count
        guard count > 0 else { return 0 }
        if let limit = memoryLimit {
            if received == 0 && memoryBody.isEmpty {
                let expected = announcedLength()
                if expected > Int64(limit) { return refuseBody(limit: limit) }
                if expected > 0 { memoryBody.reserveCapacity(Int(expected)) }
            }
            guard received + Int64(count) <= Int64(limit) else { return refuseBody(limit: limit) }
            memoryBody.append(contentsOf: block)
        } else if responseFD >= 0 {
            do {
                try DurableFile.writeAll(fd: responseFD, buffer: block, path: responsePath)
            } catch let error as FileError {
                failure = HTTPError(
                    .fileAccess,
                    "\(error) while saving the response of \(subject); "
                        + "free some space or choose another folder, then retry")
                return 0
            } catch {
                failure = HTTPError(.fileAccess, "could not write \(responsePath) for \(subject); check the disk")
                return 0
            }
        }
        received += Int64(count)
        return count
    }

    /// The response's Content-Length as libcurl parsed it, or -1.
    private func announcedLength() -> Int64 {
        guard let easy else { return -1 }
        var length: curl_off_t = -1
        guard ccurl_easy_getinfo_off(easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK else { return -1 }
        return Int64(length)
    }

    private func refuseBody(limit: Int) -> Int {
        failure = HTTPError(
            .bodyTooLarge,
            "the response body of \(subject) is larger than the limit of \(limit) bytes; "
                + "raise the limit or save the body to a file")
        return 0
    }

    /// One header line (status lines included); a new status line starts a new response (after 100 or a redirect).
    func receiveHeaderLine(_ raw: UnsafeRawBufferPointer) {
        var end = raw.count
        while end > 0 && (raw[end - 1] == 10 || raw[end - 1] == 13) { end -= 1 }
        guard end > 0 else { return }
        let line = UnsafeRawBufferPointer(rebasing: raw[0..<end])
        if end >= 5 && line[0] == 72 && line[1] == 84 && line[2] == 84 && line[3] == 80 && line[4] == 47 {  // "HTTP/"
            responseHeaders.removeAll(keepingCapacity: true)
            return
        }
        if line[0] == 32 || line[0] == 9 {  // obsolete line folding: continues the previous value
            guard !responseHeaders.isEmpty else { return }
            let more = Transfer.trimmed(line, from: 0, to: end)
            responseHeaders[responseHeaders.count - 1].value += " " + more
            return
        }
        guard let colon = line.firstIndex(of: 58) else { return }
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: line[0..<colon]), as: UTF8.self)
        responseHeaders.append(HTTPHeader(name, Transfer.trimmed(line, from: colon + 1, to: end)))
    }

    private static func trimmed(_ line: UnsafeRawBufferPointer, from start: Int, to end: Int) -> String {
        var lower = start, upper = end
        while lower < upper && (line[lower] == 32 || line[lower] == 9) { lower += 1 }
        while upper > lower && (line[upper - 1] == 32 || line[upper - 1] == 9) { upper -= 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: line[lower..<upper]), as: UTF8.self)
    }

    /// Fills `buffer` with the next bytes of the request body; 0 at the end, the abort value on a read failure.
    func fillUpload(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        let remaining = uploadLength - uploadPosition
        let wanted = Int(min(Int64(buffer.count), remaining))
        guard wanted > 0 else { return 0 }
        switch request.body {
        case .none:
            return 0
        case .bytes(let bytes):
            let start = Int(uploadPosition)
            bytes.withUnsafeBytes { source in
                buffer.baseAddress!.copyMemory(from: source.baseAddress! + start, byteCount: wanted)
            }
            uploadPosition += Int64(wanted)
            return wanted
        case .file(let path, let offset, _):
            let got = SystemCall.retrying {
                pread(uploadFD, buffer.baseAddress, wanted, off_t(offset + uploadPosition))
            }
            if got < 0 {
                failure = fileError("read", path, errno, fix: "check the file and retry")
                return ccurl_readfunc_abort
            }
            if got == 0 {
                failure = HTTPError(
                    .fileAccess,
                    "the file \(path) ended before the region \(subject) was sending; "
                        + "check that nothing truncated it, then retry")
                return ccurl_readfunc_abort
            }
            uploadPosition += Int64(got)
            return got
        }
    }

    /// False (and the failure recorded) when no byte moved for the stall timeout.
    func checkStall(moved: Int64) -> Bool {
        guard let limit = request.stallTimeout else { return true }
        let now = ContinuousClock.now
        // The clock starts at the first call: a transfer queued for a free connection gets no calls meanwhile.
        if moved != movedBytes || !stallClockStarted {
            stallClockStarted = true
            movedBytes = moved
            lastMovement = now
            return true
        }
        guard now - lastMovement >= limit else { return true }
        failure = HTTPError(
            .timeout,
            "\(subject) stalled: no data moved for \(limit.shortText); check the server "
                + "or allow a longer stall timeout, then retry")
        return false
    }

    /// False (and the failure recorded) when a window of the speed floor ended with too few bytes moved.
    func checkSpeed(moved: Int64) -> Bool {
        guard let floor = request.minimumSpeed else { return true }
        let now = ContinuousClock.now
        guard speedClockStarted else {
            speedClockStarted = true
            speedWindowStart = now
            speedWindowBytes = moved
            return true
        }
        guard now - speedWindowStart >= floor.window else { return true }
        let inWindow = moved - speedWindowBytes
        guard inWindow < floor.bytesPerWindow else {
            speedWindowStart = now
            speedWindowBytes = moved
            return true
        }
        failure = HTTPError(
            .timeout,
            "\(subject) was too slow: \(inWindow) bytes in \((now - speedWindowStart).shortText), "
                + "below the floor of \(floor.bytesPerSecond) bytes/s; retry later or lower the speed limit")
        return false
    }

    /// Rewinds the request body (libcurl does this to resend on a fresh connection or after a redirect).
    func seekUpload(to offset: Int64, origin: Int32) -> Int32 {
        guard origin == SEEK_SET, offset >= 0, offset <= uploadLength else { return Int32(CURL_SEEKFUNC_FAIL) }
        uploadPosition = offset
        return Int32(CURL_SEEKFUNC_OK)
    }
}
