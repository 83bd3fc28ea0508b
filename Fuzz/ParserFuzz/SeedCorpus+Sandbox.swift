import Essentials
import Foundation
import HTTPClientKit
@testable import InternetArchive
import Logging
@testable import Mapillary
import SandboxKit

/// The seeds that come from the sandbox over HTTP: the bytes the real clients would receive.
enum SandboxSeeds {
    struct Fetched {
        /// CDN images (small originals with the camera's EXIF).
        var jpegs: [[UInt8]] = []
        /// Every record of every listed page, as `metadata.jsonl.gz` holds them.
        var records: [[UInt8]] = []
    }

    static let account = InternetArchiveSandboxConfiguration.Account(
        accessKey: "FUZZaccessKEY001", secretKey: "fuzz-sandbox-secret", email: "fuzz@example.org")

    static func fetch(into seeds: SeedFolder) async throws -> Fetched {
        var configuration = SandboxConfiguration()
        configuration.users = [
            SandboxConfiguration.User(name: "alice", imageCount: 5),
            SandboxConfiguration.User(name: "mallory", imageCount: 8, kind: .hostile),
            SandboxConfiguration.User(name: "erin", imageCount: 0, kind: .empty),
        ]
        configuration.originalSize = PixelSize(width: 48, height: 36)
        configuration.maxRecordsPerResponse = 3
        configuration.dataDirectory = FuzzWorkspace.path + "/sandbox"
        var ia = InternetArchiveSandboxConfiguration()
        ia.accounts = [account]
        ia.spamIdentifiers = ["fuzz-spam-item"]
        ia.items = [
            InternetArchiveSandboxConfiguration.Item(
                identifier: "fuzz-seed-item", metadata: ["title": ["Seed item"], "subject": ["a", "b"]],
                files: [InternetArchiveSandboxConfiguration.File(name: "2024-05-01.tar", contents: Array("tar".utf8))],
                owner: account.accessKey)
        ]
        configuration.internetArchive = ia
        let sandbox = try Sandbox(configuration)
        let http = HTTPClient()
        defer {
            http.shutdown()
            sandbox.stop()
        }
        var fetched = Fetched()
        try await graphSeeds(sandbox, http, seeds, &fetched)
        if let ia = sandbox.internetArchive { try await internetArchiveSeeds(ia, http, seeds) }
        return fetched
    }

    /// `graph-page`, `image-record` and the CDN's JPEGs: every page of each user, errors, an entity lookup.
    private static func graphSeeds(
        _ sandbox: Sandbox, _ http: HTTPClient, _ seeds: SeedFolder,
        _ fetched: inout Fetched
    ) async throws {
        let client = MapillaryClient(
            http: http, apiBase: sandbox.apiURL, token: sandbox.token,
            logger: Logger(label: "parser-fuzz"))
        func get(_ url: String, token: String = sandbox.token) async throws -> [UInt8] {
            try await http.send(
                HTTPRequest(
                    url: url, headers: [HTTPHeader("Authorization", "OAuth " + token)],
                    response: .memory(limit: 64 << 20))
            ).body
        }
        for user in sandbox.mapillary.users {
            var url: String? = client.firstPageURL(user: user, quality: .original, bbox: nil, limit: 3)
            var number = 0
            while let current = url, number < 4 {
                let body = try await get(current)
                seeds.add("graph-page", "\(user)-\(number).json", body)
                guard case .collection(let elements, let paging) = try GraphBody.scan(body) else { break }
                for (index, range) in elements.enumerated() {
                    seeds.add("image-record", "\(user)-\(number)-\(index).json", Array(body[range]))
                }
                let page = try ImagePage.build(
                    body: body, elements: elements, paging: paging, quality: .original,
                    limitUsed: 3)
                fetched.records += page.records.map(\.rawJSON)
                for record in page.records.prefix(2) where fetched.jpegs.count < 4 {
                    if let thumb = record.thumbURL { fetched.jpegs.append(try await get(thumb, token: "")) }
                }
                if number == 0, let object = try? JSONSerialization.jsonObject(with: Data(body)),
                    let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted])
                {
                    seeds.add("graph-page", "\(user)-pretty.json", Array(pretty))
                }
                url = page.next
                number += 1
            }
        }
        let first = client.firstPageURL(user: "alice", quality: .original, bbox: nil, limit: 50)
        seeds.add("graph-page", "error-reduce-data.json", try await get(first))
        seeds.add("graph-page", "error-bad-token.json", try await get(first, token: "MLY|1|wrong"))
        if let id = sandbox.mapillary.expectedImages(user: "alice").first?.id {
            seeds.add("graph-page", "entity.json", try await get(sandbox.apiURL + "/" + id + "?fields=thumb_1024_url"))
        }
        seeds.add(
            "graph-page", "error-quoting-token.json",
            Array(
                """
                {"error":{"message":"Invalid OAuth access token - \(GraphPageTarget.token) cannot be parsed",\
                "type":"OAuthException","code":190,"fbtrace_id":"AbCdEf"}}
                """.utf8))
    }

    /// `ia-answer`: IAS3 errors (bad key, spam, bad identifier, simulated), a multipart upload's initiate and
    /// ListParts, check_limit, and archive.org's metadata and scrape answers.
    private static func internetArchiveSeeds(
        _ ia: InternetArchiveSandbox, _ http: HTTPClient,
        _ seeds: SeedFolder
    ) async throws {
        let endpoints = IAEndpoints(s3: ia.s3URL, archive: ia.archiveURL)
        func requests(_ identifier: String, key: String = account.secretKey) throws -> S3Requests {
            S3Requests(
                endpoints: endpoints, credentials: try IACredentials(accessKey: account.accessKey, secretKey: key),
                identifier: identifier, stallTimeout: .seconds(10))
        }
        func body(_ request: HTTPRequest) async throws -> [UInt8] { try await http.send(request).body }
        let headers = S3Requests.itemHeaders(sizeHint: 4, derive: false, metadata: [])
        let upload = try requests("fuzz-seed-upload")

        let initiated = try await body(upload.initiate("a.tar", itemHeaders: headers))
        seeds.add("ia-answer", "initiate.xml", initiated)
        if let uploadID = S3XML.value("UploadId", in: String(decoding: initiated, as: UTF8.self)) {
            let part = FuzzWorkspace.path + "/seed-part"
            FuzzWorkspace.write(Array("part".utf8), to: part)
            defer { FuzzWorkspace.remove(part) }
            let file = ItemFile(key: "a.tar", path: part, size: 4, mtime: 0)
            _ = try await body(
                upload.putPart(
                    file, number: 1, offset: 0, length: 4,
                    md5: MD5.hex(of: Array("part".utf8)), uploadID: uploadID))
            let parts = try await body(upload.listParts("a.tar", uploadID: uploadID, marker: 0))
            seeds.add("ia-answer", "list-parts.xml", parts)
        }
        for (name, refused) in [
            ("bad-key", try requests("fuzz-seed-upload", key: "wrong")),
            ("spam", try requests("fuzz-spam-item")),
            ("bad-identifier", try requests("Bad_Identifier!")),
        ] {
            seeds.add("ia-answer", name + ".xml", try await body(refused.initiate("a.tar", itemHeaders: headers)))
        }
        for code in ["SlowDown", "help"] {
            var request = upload.initiate("a.tar", itemHeaders: headers)
            request.headers.append(HTTPHeader("x-archive-simulate-error", code))
            seeds.add("ia-answer", "simulated-\(code).xml", try await body(request))
        }
        seeds.add("ia-answer", "check-limit.json", try await body(upload.checkLimit()))
        for (name, path) in [
            ("metadata", "/metadata/fuzz-seed-item"), ("metadata-missing", "/metadata/no-such-item"),
            (
                "scrape",
                "/services/search/v1/scrape?q=collection%3Aopensource"
                    + "&fields=identifier,item_size&count=100"
            ),
        ] {
            seeds.add(
                "ia-answer", name + ".json",
                try await body(
                    HTTPRequest(
                        url: endpoints.archive + path,
                        response: .memory(limit: 1 << 20))))
        }
    }
}
