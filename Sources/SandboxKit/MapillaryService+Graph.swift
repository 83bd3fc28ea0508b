import Essentials
import Foundation
import HTTPServerKit

extension MapillaryService {
    /// Every request to the Graph API origin: latency, faults, auth, rate limit, then the route.
    func handleAPI(_ request: ServerRequest, _ response: ServerResponse) {
        counters.increment(.apiRequests)
        record(request, origin: .api)
        DedicatedThread.sleep(configuration.apiLatency)
        if let fault = apiFaults.nextFault() {
            inject(fault, into: response, graph: true)
            return
        }
        guard request.method == "GET" else {
            sendJSON(
                response, status: 400,
                GraphJSON.error(
                    message: "(#100) Unsupported \(request.method) request", type: "GraphMethodException", code: 100))
            return
        }
        if let problem = authenticate(request) {
            counters.increment(.unauthorized)
            sendJSON(response, status: 401, GraphJSON.error(message: problem, code: 190))
            return
        }
        guard apiFaults.admit(), !limitedByCount() else {
            counters.increment(.rateLimited)
            sendJSON(
                response, status: 429,
                GraphJSON.error(
                    message: "(#4) Application request limit reached", code: 4, isTransient: true))
            return
        }
        let path = request.path
        if path == "/images" {
            listImages(request, response)
        } else if path.count > 1, path.hasPrefix("/"), !path.dropFirst().contains("/") {
            lookUp(id: String(path.dropFirst()), request, response)
        } else {
            sendJSON(
                response, status: 404,
                GraphJSON.error(
                    message: "Unknown path components: \(path)", code: 2500))
        }
    }

    /// True for every Nth request of ``SandboxConfiguration/rateLimitEvery`` (the 2nd, the (2+N)th, …).
    private func limitedByCount() -> Bool {
        guard let every = configuration.rateLimitEvery else { return false }
        let count = admittedRequests.add(1, ordering: .relaxed).newValue
        return count >= 2 && (count - 2) % every == 0
    }

    /// nil when the request carries the token (`Authorization: OAuth …` or `access_token`), else the
    /// Graph message explaining what is wrong.
    private func authenticate(_ request: ServerRequest) -> String? {
        var presented: String?
        if let header = request.header("Authorization") {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, ["oauth", "bearer"].contains(parts[0].lowercased()) {
                presented = parts[1].trimmingCharacters(in: .whitespaces)
            } else {
                return "Invalid OAuth access token - Cannot parse access token"
            }
        } else if let query = request.queryValue("access_token") {
            presented = query
        }
        guard let presented else { return "An access token is required to request this resource." }
        return presented == token ? nil : "Invalid OAuth access token - Cannot parse access token"
    }

    /// Parses `fields`: `id` plus the listed ones, in order, without repeats; nil after answering 400.
    private func requestedFields(_ request: ServerRequest, _ response: ServerResponse) -> [String]? {
        var fields: [String] = []
        for raw in (request.queryValue("fields") ?? "").split(separator: ",") {
            let field = raw.trimmingCharacters(in: .whitespaces)
            guard !field.isEmpty else { continue }
            guard Self.knownFields.contains(field) else {
                sendJSON(
                    response, status: 400,
                    GraphJSON.error(
                        message: "(#100) Tried accessing nonexisting field (\(field)) on node type (Image)", code: 100))
                return nil
            }
            if field != "id", !fields.contains(field) { fields.append(field) }
        }
        return fields
    }

    private func badParameter(_ response: ServerResponse, _ message: String) {
        sendJSON(response, status: 400, GraphJSON.error(message: message, code: 100))
    }

    // MARK: /images

    private func listImages(_ request: ServerRequest, _ response: ServerResponse) {
        counters.increment(.pageRequests)
        let user = request.queryValue("creator_username")
        let bboxText = request.queryValue("bbox")
        guard user != nil || bboxText != nil else {
            return badParameter(
                response, "(#100) Must specify at least one of creator_username, bbox, sequence_ids or image_ids")
        }
        var pano: Bool?
        if let text = request.queryValue("is_pano") {
            guard user != nil else {
                return badParameter(response, "(#100) is_pano must be used with creator_username")
            }
            guard text == "true" || text == "false" else {
                return badParameter(response, "(#100) Param is_pano must be a boolean")
            }
            pano = text == "true"
        }
        guard let fields = requestedFields(request, response) else { return }
        var limit = 2000
        if let text = request.queryValue("limit") {
            guard let value = Int(text), value > 0 else {
                return badParameter(response, "(#100) Param limit must be a positive integer")
            }
            limit = min(value, 2000)
        }
        var box: (w: Double, s: Double, e: Double, n: Double)?
        if let bboxText {
            let numbers = bboxText.split(separator: ",", omittingEmptySubsequences: false)
                .compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }.filter(\.isFinite)
            guard numbers.count == 4, bboxText.split(separator: ",", omittingEmptySubsequences: false).count == 4 else {
                return badParameter(
                    response, "(#100) Param bbox must be four comma-separated numbers: minLon,minLat,maxLon,maxLat")
            }
            guard numbers[0] < numbers[2], numbers[1] < numbers[3] else {
                return badParameter(response, "(#100) Param bbox must have minLon < maxLon and minLat < maxLat")
            }
            let area = (numbers[2] - numbers[0]) * (numbers[3] - numbers[1])
            guard area < 0.01 else {
                return badParameter(
                    response,
                    "Bounding box area is too large. Maximum allowed area is 0.010 square degrees, but got \(String(format: "%.3f", area)) square degrees."
                )
            }
            box = (numbers[0], numbers[1], numbers[2], numbers[3])
        }
        var window: (start: Int64?, end: Int64?) = (nil, nil)
        for (name, isStart) in [("start_captured_at", true), ("end_captured_at", false)] {
            guard let text = request.queryValue(name) else { continue }
            guard let milliseconds = Self.isoMilliseconds(text) else {
                return badParameter(
                    response, "(#100) Param \(name) must be an ISO 8601 date and time, e.g. 2022-08-16T16:42:46Z")
            }
            if isStart { window.start = milliseconds } else { window.end = milliseconds }
        }
        if let maximum = configuration.maxRecordsPerResponse, limit > maximum {
            counters.increment(.reduceDataAnswers)
            sendJSON(
                response, status: 500,
                GraphJSON.error(
                    message: "Please reduce the amount of data you're asking for, then retry your request", code: 1))
            return
        }

        let lists: [[SandboxImage]] =
            user.map { [listedRecords(user: $0)] } ?? dataset.userNames.map { listedRecords(user: $0) }
        let filtered = pano != nil || box != nil || window.start != nil || window.end != nil
        // Only the matching images are copied: an area query looks through every user's.
        let matching =
            !filtered
            ? lists.flatMap { $0 }
            : lists.flatMap { list in
                list.lazy.filter { image in
                    if let pano, image.isPano != pano { return false }
                    if window.start != nil || window.end != nil {
                        // Both ends included; an image without a capture time is in no window.
                        guard let time = image.capturedAt, time >= window.start ?? .min, time <= window.end ?? .max
                        else { return false }
                    }
                    if let box {
                        return image.longitude >= box.w && image.longitude <= box.e && image.latitude >= box.s
                            && image.latitude <= box.n
                    }
                    return true
                }
            }
        let scope =
            "images|u=\(user ?? "")|b=\(bboxText ?? "")|p=\(pano.map(String.init) ?? "")"
            + "|t=\(window.start.map(String.init) ?? "")-\(window.end.map(String.init) ?? "")"
        // The cap some report for the real API: a bbox query without a creator stops there, with no paging.
        let capped = user == nil && box != nil && configuration.bboxCap != nil
        if capped, let cap = configuration.bboxCap {
            limit = min(limit, cap)
            if matching.count > limit { counters.increment(.cappedAnswers) }
        }
        var start = 0
        if let after = request.queryValue("after") {
            guard let position = cursors.decode(after, scope: scope),
                acceptsCursor(position: position, count: matching.count, user: user)
            else {
                return badParameter(response, "(#100) The after cursor is invalid or does not belong to this query")
            }
            start = position
        }
        let (range, next) = page(request, user: user, start: start, limit: limit, records: matching, scope: scope)
        let end = start + range.count
        let lifetime = urlLifetimeSeconds(forLookup: false)

        var json = GraphJSON(capacity: range.count * 900 + 512)
        json.beginObject()
        json.key("data")
        json.beginArray()
        for image in matching[range] { appendRecord(image, fields: fields, lifetime: lifetime, to: &json) }
        json.endArray()
        if !range.isEmpty && !capped {
            json.key("paging")
            json.beginObject()
            json.key("cursors")
            json.beginObject()
            json.key("before"); json.string(cursors.encode(position: start, scope: scope))
            json.key("after"); json.string(cursors.encode(position: end, scope: scope))
            json.endObject()
            if let next {
                json.key("next"); json.string(next)
            }
            json.endObject()
        }
        json.endObject()
        sendJSON(response, status: 200, json.bytes)
    }

    /// Milliseconds since 1970 of an ISO 8601 date and time (`2022-08-16T16:42:46Z`, with fractions or an
    /// offset); nil for anything else.
    static func isoMilliseconds(_ text: String) -> Int64? {
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = plain.date(from: text) ?? fractional.date(from: text) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// The absolute next-page URL: the request's own query, in order, with `after` replaced (or left out).
    func nextURL(_ request: ServerRequest, after: String?) -> String {
        var base = apiBase.withLock { $0 }
        if base.isEmpty { base = "http://" + (request.header("Host") ?? "127.0.0.1") }
        var pairs = request.query.filter { $0.name != "after" }
            .map { CDNURLSigner.percentEncode($0.name) + "=" + Self.queryEncode($0.value) }
        if let after { pairs.append("after=" + after) }
        return base + "/images?" + pairs.joined(separator: "&")
    }

    /// Percent-encoding for echoed query values; commas stay readable, as Graph's own links keep them.
    static func queryEncode(_ value: String) -> String {
        CDNURLSigner.percentEncode(value).replacingOccurrences(of: "%2C", with: ",")
    }

    // MARK: /{id}

    private func lookUp(id: String, _ request: ServerRequest, _ response: ServerResponse) {
        counters.increment(.lookupRequests)
        guard let fields = requestedFields(request, response) else { return }
        guard let image = dataset.image(id: id) else {
            sendJSON(
                response, status: 404,
                GraphJSON.error(
                    message:
                        "Unsupported get request. Object with ID '\(id)' does not exist, cannot be loaded due to missing permissions, or does not support this operation",
                    type: "GraphMethodException", code: 100, subcode: 33))
            return
        }
        var json = GraphJSON()
        appendRecord(image, fields: fields, lifetime: urlLifetimeSeconds(forLookup: true), to: &json)
        sendJSON(response, status: 200, json.bytes)
    }
}
