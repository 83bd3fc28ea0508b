import HTTPClientKit
import Logging

extension MapillaryClient {
    /// Asks the API for a fresh signed URL of one image: `GET {api}/{id}?fields=thumb_{q}_url`.
    ///
    /// Returns nil when the image exists but has no URL for `quality`. Throws `imageGone` when the
    /// API answers 404 for the id.
    public func refreshThumbURL(id: String, quality: Quality) async throws -> String? {
        try Self.requireSafeID(id)
        let url = apiBase + "/" + id + "?fields=" + quality.thumbField
        return try await retrying("looking up image \(id)") {
            logger.debug("Mapillary URL refresh", metadata: ["id": .string(id), "quality": .string(quality.rawValue)])
            switch try await askAPI(url) {
            case .transient(let reason, let after):
                return .retry(reason, after: after)
            case .lessData(let reason):
                return .retry(reason, after: nil)
            case .notFound:
                throw MapillaryError(.imageGone, "image \(id) is no longer on Mapillary (the API answered 404 for it)")
            case .refused(let summary):
                throw MapillaryError(.requestRefused, "the Mapillary API refused to look up image \(id) (\(summary))")
            case .ok(let body, _):
                guard case .object(let object) = body else {
                    throw MapillaryError(
                        .unexpectedResponse,
                        "the Mapillary API answered the lookup of image \(id) with JSON that is not an image; check --api-url"
                    )
                }
                return .done(object[quality.thumbField]?.stringValue.flatMap(URLQuery.webURL))
            }
        }
    }

    /// Downloads one image from the CDN without any credentials.
    ///
    /// A missing or non-http(s) `url`, and a URL the CDN refuses (403 `URL signature expired`, 404,
    /// 410), are replaced by a fresh one from ``refreshThumbURL(id:quality:)`` (at most 3 times).
    /// 429, 5xx, resets, timeouts and transfers below ``downloadSpeedFloor`` are retried with back-off, all
    /// within ``imageTimeLimit``. A 200 whose body does not start like a JPEG (FF D8 FF) fails with `notJPEG`; a
    /// body over `maxBytes` with `imageTooLarge`.
    public func downloadImage(
        id: String, url: String?, quality: Quality, maxBytes: Int,
        observer: DownloadObserver = DownloadObserver()
    ) async throws -> ImageDownload {
        try Self.requireSafeID(id)
        var current = url.flatMap(URLQuery.webURL)
        var refreshes = 0
        let deadline = ContinuousClock.now + imageTimeLimit
        return try await retrying("downloading image \(id)", timeLimit: imageTimeLimit, onRetry: observer.retrying) {
            if current == nil {
                guard refreshes < Self.maximumRefreshes else {
                    throw MapillaryError(
                        .downloadRefused,
                        "the Mapillary CDN kept refusing image \(id) even with \(refreshes) fresh URLs; try again later"
                    )
                }
                refreshes += 1
                guard let fresh = try await refreshThumbURL(id: id, quality: quality) else {
                    throw MapillaryError(
                        .renditionMissing,
                        "image \(id) has no \(quality.rawValue) rendition on Mapillary (no \(quality.thumbField)); try another --quality"
                    )
                }
                current = fresh
            }
            guard let target = current else { return .retryNow("no URL") }
            var request = HTTPRequest(
                url: target, headers: [HTTPHeader("Accept", "image/jpeg")],
                response: .memory(limit: max(1, maxBytes)))
            request.timeout = min(downloadTimeout, max(.milliseconds(1), deadline - ContinuousClock.now))
            request.stallTimeout = downloadStallTimeout
            request.minimumSpeed = downloadSpeedFloor
            request.progress = observer.progress
            let response: HTTPResponse
            do {
                switch try await send(request) {
                case .response(let r): response = r
                case .transient(let reason): return .retry("CDN " + reason, after: nil)
                }
            } catch let error as MapillaryError where error.code == .imageTooLarge {
                throw MapillaryError(
                    .imageTooLarge,
                    "image \(id) is larger than the \(maxBytes)-byte limit for one image; it was skipped")
            }
            let status = response.status
            switch status {
            case 200..<300:
                let bytes = response.body
                guard bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF else {
                    let type = MapillaryError.sanitized(response.header("Content-Type") ?? "none", limit: 60)
                    throw MapillaryError(
                        .notJPEG,
                        "the CDN answered with something that is not a JPEG for image \(id) (\(bytes.count) bytes, content-type \(type))"
                    )
                }
                return .done(ImageDownload(bytes: bytes, url: target))
            case 403, 404, 410:
                let reason = "CDN HTTP \(status)" + Self.bodyHint(response)
                logger.debug(
                    "Mapillary CDN refused a URL; asking for a fresh one",
                    metadata: ["id": .string(id), "reason": .string(reason)])
                guard refreshes < Self.maximumRefreshes else {
                    throw MapillaryError(
                        .downloadRefused,
                        "the Mapillary CDN kept refusing image \(id) (\(reason)) even with \(refreshes) fresh URLs; try again later"
                    )
                }
                current = nil
                return .retryNow(reason)
            case 408, 429, 500...:
                return .retry("CDN HTTP \(status)" + Self.bodyHint(response), after: response.retryAfter)
            default:
                throw MapillaryError(
                    .downloadRefused,
                    "the Mapillary CDN refused image \(id) (HTTP \(status)\(Self.bodyHint(response)))")
            }
        }
    }

    /// ` (first line of a short text body)` or nothing; sanitised.
    static func bodyHint(_ response: HTTPResponse) -> String {
        let head = response.body.prefix(120)
        guard !head.isEmpty, head.allSatisfy({ $0 >= 0x20 && $0 < 0x7F || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
        else { return "" }
        let line = String(decoding: head, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first
        return line.map { " " + MapillaryError.sanitized(String($0), limit: 80) } ?? ""
    }

    static func requireSafeID(_ id: String) throws {
        guard ImageRecord.isSafeName(id) else {
            throw MapillaryError(
                .recordRefused,
                "the image id \"\(MapillaryError.sanitized(id, limit: 70))\" is not a safe name (1 to 64 letters, digits, _ or -)"
            )
        }
    }
}
