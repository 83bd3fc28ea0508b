import Essentials
import HTTPClientKit

extension UploadSession {
    /// Refuses the item, before anything is sent, when a log file or a metadata value it would publish holds a
    /// secret in any form: the uploader's IA secret key (known here) or ``UploadOptions/withheldSecrets`` (the
    /// Mapillary token, which only `download` and a campaign worker know). Published items are public.
    ///
    /// Log files are the top-level `download.log.*` and `*.log` files, read in chunks; tars and images are not
    /// searched (their bytes come from the cameras and the CDN, not from the tool's messages).
    func checkForSecrets() throws {
        let mask = (uploader.credentials?.mask ?? SecretMask()).merging(options.withheldSecrets)
        for header in metadataHeaders
        where mask.reveals(header.value) || mask.reveals(PercentEncoding.decode(header.value[...])) {
            throw secretFound("the metadata header \(header.name)", fix: "remove it from the item's .meta")
        }
        for file in files
        where !file.key.contains("/") && (file.key.hasPrefix("download.log") || file.key.hasSuffix(".log")) {
            if let line = try LogScan.lineHoldingSecret(path: file.path, key: file.key, mask: mask) {
                throw secretFound("line \(line) of \(file.key)", fix: "remove or mask that line")
            }
        }
    }

    private func secretFound(_ place: String, fix: String) -> InternetArchiveError {
        InternetArchiveError(
            .secretInItem,
            "\(place) in item \(identifier) holds a secret (the IA secret key or the "
                + "Mapillary token, in some form), and the item would be public; nothing was sent: \(fix), then run upload "
                + "again (and replace the secret if it was ever published)")
    }
}

/// Searching a file for secrets, in chunks (a log file may be large).
private enum LogScan {
    /// The 1-based number of the first line of the file that holds any form of a secret, or nil.
    static func lineHoldingSecret(path: String, key: String, mask: SecretMask) throws -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fileFailure("open", key, errno) }
        defer { close(fd) }
        let overlap = max(0, mask.longestForm - 1)
        var carried: [UInt8] = []
        var linesBefore = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { bytes in
                SystemCall.retrying { read(fd, bytes.baseAddress, bytes.count) }
            }
            guard count >= 0 else { throw fileFailure("read", key, errno) }
            let window = carried + chunk[..<count]
            if let hit = mask.firstIndex(in: window) {
                return linesBefore + newlines(in: window, upTo: hit) + 1
            }
            if count == 0 { return nil }
            let keep = min(overlap, window.count)
            linesBefore += newlines(in: window, upTo: window.count - keep)
            carried = Array(window.suffix(keep))
        }
    }

    /// The line breaks in `bytes[..<end]` (memchr from one to the next).
    private static func newlines(in bytes: [UInt8], upTo end: Int) -> Int {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            var count = 0
            var from = 0
            while from < end, let hit = memchr(base + from, 10, end - from) {
                count += 1
                from = base.distance(to: UnsafeRawPointer(hit)) + 1
            }
            return count
        }
    }

    private static func fileFailure(_ call: String, _ key: String, _ code: Int32) -> InternetArchiveError {
        InternetArchiveError(
            .badItem,
            "\(key) cannot be read (\(call): \(String(cString: strerror(code)))); check its "
                + "permissions")
    }
}
