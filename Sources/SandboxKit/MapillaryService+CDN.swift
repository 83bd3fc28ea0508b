import Essentials
import HTTPServerKit

extension MapillaryService {
    /// Every request to the CDN origin: signed URL check, expiry, then the image file.
    func handleCDN(_ request: ServerRequest, _ response: ServerResponse) {
        counters.inFlight { answerCDN(request, response) }
    }

    private func answerCDN(_ request: ServerRequest, _ response: ServerResponse) {
        counters.increment(.cdnRequests)
        if carriesCredentials(request) { counters.increment(.cdnRequestsWithCredentials) }
        record(request, origin: .cdn)
        DedicatedThread.sleep(configuration.cdnLatency)
        if let fault = cdnFaults.nextFault() {
            inject(fault, into: response, graph: false)
            return
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            sendText(response, status: 405, "Method Not Allowed")
            return
        }
        let verdict = signer.verify(
            path: request.path, oh: request.queryValue("oh"), oe: request.queryValue("oe"),
            now: clock.now)
        switch verdict {
        case .notFound:
            sendText(response, status: 404, "Not Found")
        case .badSignature:
            counters.increment(.badSignatures)
            sendText(response, status: 403, "Bad URL hash")
        case .expired:
            counters.increment(.expiredURLs)
            sendText(response, status: 403, "URL signature expired")
        case .valid(let id, let quality):
            guard let image = dataset.image(id: id), image.hostility != .missingRendition else {
                sendText(response, status: 404, "Not Found")
                return
            }
            let kind = dataset.kinds[image.user] ?? .normal
            let headers = [("Content-Type", "image/jpeg"), ("Cache-Control", "max-age=1209600, no-transform")]
            do {
                if try serveMisbehaving(image, quality: quality, kind: kind, headers: headers, response) {
                    counters.increment(.imagesServed)
                    return
                }
                let path = try store.path(for: image, quality: quality, kind: kind)
                try response.sendFile(status: 200, headers: headers, path: path)
                counters.increment(.imagesServed)
            } catch {
                if !response.hasResponded { sendText(response, status: 500, "Internal Server Error: \(error)") }
            }
        }
    }

    /// True when the request carries anything that could be the API token.
    private func carriesCredentials(_ request: ServerRequest) -> Bool {
        if request.header("Authorization") != nil || request.queryValue("access_token") != nil { return true }
        let encoded = CDNURLSigner.percentEncode(token)
        return request.target.contains(token) || request.target.contains(encoded)
            || request.headers.contains { $0.value.contains(token) }
    }
}
