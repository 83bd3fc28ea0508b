import Essentials
import Foundation
import HTTPServerKit

/// The fake archive.org: the metadata API (`/metadata/{id}`) and the scrape API
/// (`/services/search/v1/scrape`), over the same items as the fake IAS3.
final class IAArchiveService: IAService {
    static let host = IARequestRecord.Host.archive
    let parts: IAServiceParts

    init(parts: IAServiceParts) {
        self.parts = parts
    }

    func handle(_ request: ServerRequest, _ serverResponse: ServerResponse) {
        answer(request, serverResponse) { respond(request, $0) }
    }

    private func respond(_ request: ServerRequest, _ response: IAReply) {
        if let fault = controls.nextFault() {
            switch fault {
            case .reset: response.reset()
            case .status500:
                response.send(
                    status: 500, headers: [("Content-Type", "text/html")],
                    body: Array("<html><body><h1>500 Internal Server Error</h1></body></html>".utf8))
            }
            return
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            sendJSON(response, ["error": "method not allowed"], status: 405)
            return
        }
        if request.path.hasPrefix("/metadata/") {
            guard !controls.metadataAPIFailing else {
                response.send(
                    status: 503, headers: [("Content-Type", "text/html")],
                    body: Array("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>".utf8))
                return
            }
            let parts = request.path.dropFirst("/metadata/".count).split(
                separator: "/", omittingEmptySubsequences: false)
            let identifier = String(parts[0])
            if parts.count == 3, parts[1] == "metadata" {
                sendJSON(response, metadataValue(identifier, key: String(parts[2])))
            } else {
                sendJSON(response, metadata(identifier))
            }
        } else if request.path.hasPrefix("/download/") {
            redirectDownload(request, response)
        } else if request.path.hasPrefix("/serve/") {
            serveFile(request, response)
        } else if request.path == "/services/search/v1/scrape" {
            scrape(request, response)
        } else {
            sendJSON(response, ["error": "not found"], status: 404)
        }
    }

    /// The metadata API answer: `{}` for no item; a dark item without `metadata`; files as strings.
    func metadata(_ identifier: String) -> [String: Any] {
        guard let item = store.item(identifier) else { return [:] }
        let now = ContinuousClock.now
        var files: [[String: Any]] = item.files.values.filter { $0.visibleAt <= now }
            .sorted { $0.name < $1.name }
            .map { file in
                [
                    "name": file.name, "source": "original", "size": String(file.size), "mtime": String(file.mtime),
                    "md5": file.md5, "format": Self.format(of: file.name),
                ]
            }
        var answer: [String: Any] = [
            "created": item.created, "d1": "sandbox.archive.org", "dir": "/sandbox/items/\(identifier)",
            "server": "sandbox.archive.org", "workable_servers": ["sandbox.archive.org"],
            "item_last_updated": item.created, "uniq": Int(SandboxRandom.hash(0, [identifier]) % 1_000_000_000),
        ]
        if item.dark {
            answer["is_dark"] = true
            answer["files"] = [] as [Any]
            return answer
        }
        let metaXML = Self.metaXML(item)
        files.append([
            "name": "\(identifier)_meta.xml", "source": "metadata", "format": "Metadata",
            "size": String(metaXML.count), "md5": MD5.hex(of: metaXML),
            "mtime": String(item.created),
        ])
        files.append([
            "name": "\(identifier)_files.xml", "source": "metadata", "format": "Metadata",
            "md5": MD5.hex(of: Array(identifier.utf8)), "summation": "md5",
        ])
        answer["files"] = files
        answer["files_count"] = files.count
        answer["item_size"] = item.size
        var fields: [String: Any] = [:]
        for (key, values) in item.metadata where !values.isEmpty {
            fields[key] = values.count == 1 ? values[0] : values
        }
        answer["metadata"] = fields
        return answer
    }

    /// `/download/{id}/{name}`: as archive.org does, a redirect to the data node that holds the item (here
    /// `/serve/{id}/{name}` on the same server), for a file IA lists; 404 otherwise, 403 for a dark item.
    private func redirectDownload(_ request: ServerRequest, _ response: IAReply) {
        let rest = String(request.path.dropFirst("/download/".count))
        guard let file = listedFile(rest, response) else { return }
        let host = request.header("host") ?? "127.0.0.1"
        response.send(
            status: 302,
            headers: [
                ("Location", "http://\(host)/serve/\(PercentEncoding.encode(rest, keeping: "/"))"),
                ("Content-Type", "text/html"),
            ],
            body: Array("<html><body>Moved to the data node (\(file.size) bytes)</body></html>".utf8))
    }

    /// The data node's answer: the file's bytes.
    private func serveFile(_ request: ServerRequest, _ response: IAReply) {
        let rest = String(request.path.dropFirst("/serve/".count))
        guard let file = listedFile(rest, response) else { return }
        guard let path = file.blobPath else {
            response.send(
                status: 404, headers: [("Content-Type", "text/html")],
                body: Array("<html><body>this sandbox item was declared without its bytes</body></html>".utf8))
            return
        }
        try? response.sendFile(status: 200, headers: [("Content-Type", "application/octet-stream")], path: path)
    }

    /// The file `{id}/{name}` names when IA lists it (ingested, item not dark); else answers 404 or 403 and nil.
    private func listedFile(_ rest: String, _ response: IAReply) -> IAItemStore.StoredFile? {
        let parts = rest.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let item = store.item(parts[0]) else {
            response.send(
                status: 404, headers: [("Content-Type", "text/html")],
                body: Array("<html><body>Item not found</body></html>".utf8))
            return nil
        }
        guard !item.dark else {
            response.send(
                status: 403, headers: [("Content-Type", "text/html")],
                body: Array("<html><body>This item is not available</body></html>".utf8))
            return nil
        }
        guard let file = item.files[parts[1]], file.visibleAt <= ContinuousClock.now else {
            response.send(
                status: 404, headers: [("Content-Type", "text/html")],
                body: Array("<html><body>File not found</body></html>".utf8))
            return nil
        }
        return file
    }

    /// A sub-path read, `/metadata/{id}/metadata/{key}`: `{"result": value}` (a list for repeated keys), or `{}`
    /// when the item or the key is missing.
    func metadataValue(_ identifier: String, key: String) -> [String: Any] {
        guard let item = store.item(identifier), !item.dark else { return [:] }
        let values = item.values(key)
        if values.isEmpty { return [:] }
        return ["result": values.count == 1 ? values[0] as Any : values as Any]
    }

    /// `q` = terms joined by ` OR ` (`key:*` = has the key, `key:value` = has that value); `fields`, `count`
    /// (100…10,000, as IA requires) and an opaque `cursor` for the next page.
    private func scrape(_ request: ServerRequest, _ response: IAReply) {
        if controls.takeScrapeThrottle() {
            response.send(
                status: 429, headers: [("Content-Type", "text/html"), ("Retry-After", "1")],
                body: Array("<html><body><h1>429 Too Many Requests</h1></body></html>".utf8))
            return
        }
        guard let query = request.queryValue("q"), !query.isEmpty else {
            sendJSON(response, ["error": "q is required"], status: 400)
            return
        }
        let count = request.queryValue("count").flatMap { Int($0) } ?? 5000
        guard (100...10_000).contains(count) else {
            sendJSON(response, ["error": "count must be between 100 and 10000"], status: 400)
            return
        }
        var offset = 0
        if let cursor = request.queryValue("cursor") {
            guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8),
                text.hasPrefix("offset:"), let value = Int(text.dropFirst("offset:".count)), value >= 0
            else {
                sendJSON(response, ["error": "invalid cursor"], status: 400)
                return
            }
            offset = value
        }
        let terms = query.components(separatedBy: " OR ").map { term -> (key: String, value: String) in
            let parts = term.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1)
            return (String(parts.first ?? ""), parts.count > 1 ? String(parts[1]) : "*")
        }
        let fields = (request.queryValue("fields") ?? "identifier").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        let matching = store.allItems.filter { item in
            !item.dark
                && terms.contains { term in
                    let values = term.key == "identifier" ? [item.identifier] : item.values(term.key)
                    return term.value == "*" ? !values.isEmpty : values.contains(term.value)
                }
        }
        let page = matching.dropFirst(offset).prefix(count)
        let items: [[String: Any]] = page.map { item in
            var entry: [String: Any] = ["identifier": item.identifier]
            for field in fields where field != "identifier" && !configuration.scrapeWithheldFields.contains(field) {
                if field == "item_size" {
                    entry["item_size"] = item.size
                } else {
                    let values = item.values(field)
                    if values.count == 1 { entry[field] = values[0] } else if values.count > 1 { entry[field] = values }
                }
            }
            return entry
        }
        var answer: [String: Any] = ["items": items, "count": items.count, "total": matching.count]
        if offset + page.count < matching.count {
            answer["cursor"] = Data("offset:\(offset + page.count)".utf8).base64EncodedString()
        }
        sendJSON(response, answer)
    }

    private func sendJSON(_ response: IAReply, _ object: Any, status: Int = 200) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        response.send(status: status, headers: [("Content-Type", "application/json")], body: Array(data))
    }

    static func format(of name: String) -> String {
        if name.hasSuffix(".tar") { return "TAR" }
        if name.hasSuffix(".gz") { return "GZIP" }
        if name.hasSuffix(".jpg") || name.hasSuffix(".jpeg") { return "JPEG" }
        if name.hasSuffix(".json") { return "JSON" }
        return "Data"
    }

    static func metaXML(_ item: IAItemStore.Item) -> [UInt8] {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata>\n"
        for (key, values) in item.metadata {
            for value in values { xml += "  <\(key)>\(MarkupText.escape(value))</\(key)>\n" }
        }
        return Array((xml + "</metadata>\n").utf8)
    }
}
