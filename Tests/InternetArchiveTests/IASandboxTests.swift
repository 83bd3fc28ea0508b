import Essentials
import Foundation
import HTTPClientKit
import InternetArchive
import SandboxKit
import Testing
import TestSupport

/// The IA half of the sandbox is as strict as IA where a client could go wrong.
@Suite struct IASandboxTests {
    func send(
        _ h: IAHarness, _ method: String, _ path: String, headers: [HTTPHeader] = [],
        body: HTTPRequest.Body = .none, auth: Bool = true, expectContinue: Bool = false
    ) async throws -> HTTPResponse {
        var request = HTTPRequest(
            method: method, url: h.ia.s3URL + path,
            headers: (auth ? [HTTPHeader("Authorization", "LOW \(h.ia.accessKey):\(h.ia.secretKey)")] : [])
                + headers, body: body)
        request.expectContinue = expectContinue
        return try await h.http.send(request)
    }

    @Test func metadataHeadersInEveryFormIAAcceptsBecomeListsInNumericOrder() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let response = try await send(
            h, "PUT", "/meta-forms/a.txt",
            headers: [
                HTTPHeader("x-archive-auto-make-bucket", "1"),
                HTTPHeader("x-archive-meta02-subject", "third"),
                HTTPHeader("x-archive-meta-subject", "first"),
                HTTPHeader("x-archive-meta01-subject", "second"),
                HTTPHeader("x-amz-meta-isbn--10", "uri(12%2034)"),
                HTTPHeader("x-archive-meta00-title", "uri(Zo%C3%AB)"),
            ], body: .bytes(Array("hi".utf8)))
        #expect(response.status == 200)
        let item = try #require(h.ia.item("meta-forms"))
        #expect(item.values("subject") == ["first", "second", "third"])
        #expect(item.values("isbn_10") == ["12 34"])
        #expect(item.values("title") == ["Zoë"])
        #expect(item.values("collection") == ["opensource"])
        // Metadata applies only when the item is created.
        _ = try await send(
            h, "PUT", "/meta-forms/b.txt", headers: [HTTPHeader("x-archive-meta00-title", "Other")],
            body: .bytes([1]))
        #expect(h.ia.item("meta-forms")?.values("title") == ["Zoë"])
    }

    @Test func contentMD5IsCheckedAsHexOrBase64() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let body: [UInt8] = Array("payload".utf8)
        var md5 = MD5()
        md5.update(body)
        let base64 = Data(md5.digest()).base64EncodedString()
        let make = HTTPHeader("x-archive-auto-make-bucket", "1")
        #expect(
            try await send(
                h, "PUT", "/digest-item/hex", headers: [make, HTTPHeader("Content-MD5", md5.hexDigest())],
                body: .bytes(body)
            ).status == 200)
        #expect(
            try await send(
                h, "PUT", "/digest-item/b64", headers: [make, HTTPHeader("Content-MD5", base64)],
                body: .bytes(body)
            ).status == 200)
        let bad = try await send(
            h, "PUT", "/digest-item/bad", headers: [make, HTTPHeader("Content-MD5", MD5.hex(of: [1]))],
            body: .bytes(body))
        #expect(bad.status == 400)
        #expect(bad.text.contains("<Code>BadDigest</Code>"))
        #expect(bad.text.contains("recieved data md5: \(md5.hexDigest())also not equal to base64 version: \(base64)"))
        #expect(h.ia.item("digest-item")?.files["bad"] == nil)
    }

    @Test func refusalsComeBeforeTheBodyWhenTheClientWaitsFor100Continue() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let temp = h.temp.file("big.bin")
        try Data(pattern(2 << 20)).write(to: URL(fileURLWithPath: temp))
        var request = HTTPRequest(
            method: "PUT", url: h.ia.s3URL + "/early-refusal/big.bin",
            headers: [
                HTTPHeader("Authorization", "LOW nobody:nothing"),
                HTTPHeader("x-archive-auto-make-bucket", "1"),
            ],
            body: .file(path: temp, offset: 0, length: 2 << 20))
        request.expectContinue = true
        let response = try await h.http.send(request)
        #expect(response.status == 403)
        #expect(response.text.contains("<Code>InvalidAccessKeyId</Code>"))
        #expect(response.text.contains("<Resource />"))
        #expect(h.ia.requestLog().last?.bodyBytes == 0)
    }

    @Test func chunkedBodiesAndMissingLengthsGet411() throws {
        let h = try IAHarness()
        defer { h.close() }
        let script = """
            import http.client, sys
            url = sys.argv[1].replace("http://", "")
            c = http.client.HTTPConnection(url)
            c.putrequest("PUT", "/chunked-item/a.txt")
            c.putheader("Authorization", sys.argv[2])
            c.putheader("Transfer-Encoding", "chunked")
            c.endheaders()
            c.send(b"5\\r\\nhello\\r\\n0\\r\\n\\r\\n")
            print(c.getresponse().status)
            c = http.client.HTTPConnection(url)
            c.putrequest("PUT", "/chunked-item/b.txt")
            c.putheader("Authorization", sys.argv[2])
            c.endheaders()
            print(c.getresponse().status)
            """
        let result = try ExternalTool.run(
            "python3", ["-c", script, h.ia.s3URL, "LOW \(h.ia.accessKey):\(h.ia.secretKey)"])
        #expect(result.stdout.split(separator: "\n") == ["411", "411"], "\(result.stderr)")
        #expect(h.ia.counters.missingLengths == 2)
        #expect(h.ia.item("chunked-item") == nil)
    }

    @Test func checkLimitAnswersAnIntegerOverLimit() async throws {
        let h = try IAHarness { $0.overLimitChecks = 1 }
        defer { h.close() }
        for expected in [1, 0] {
            let response = try await send(h, "GET", "/?check_limit=1&accesskey=\(h.ia.accessKey)&bucket=x", auth: false)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            #expect(response.text.contains("\"over_limit\":\(expected)"))
            #expect(object["bucket"] as? String == "x")
        }
    }

    @Test func multipartCompletesWithOrWithoutTheNamespaceAndListsParts() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let make = HTTPHeader("x-archive-auto-make-bucket", "1")
        for (key, namespace) in [
            ("with.bin", " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""), ("without.bin", ""),
        ] {
            let start = try await send(h, "POST", "/multi-item/\(key)?uploads", headers: [make])
            let id = try #require(start.text.firstMatch(of: /<UploadId>([^<]+)<\/UploadId>/)?.1)
            // In order (streamed into one file), and out of order (joined at the end).
            func part(_ number: Int, _ bytes: [UInt8]) async throws -> HTTPResponse {
                try await send(h, "PUT", "/multi-item/\(key)?partNumber=\(number)&uploadId=\(id)", body: .bytes(bytes))
            }
            let inOrder = namespace.isEmpty
            let early = inOrder ? nil : try await part(2, pattern(50, seed: 2))
            let one = try await part(1, pattern(100))
            let two: HTTPResponse
            if let early { two = early } else { two = try await part(2, pattern(50, seed: 2)) }
            let listed = try await send(h, "GET", "/multi-item/\(key)?uploadId=\(id)")
            #expect(listed.text.contains("<PartNumber>2</PartNumber>"))
            let uploads = try await send(h, "GET", "/multi-item/?uploads")
            #expect(uploads.text.contains("<Key>\(key)</Key>"))
            let xml =
                "<CompleteMultipartUpload\(namespace)><Part><PartNumber>1</PartNumber><ETag>\(one.header("ETag")!)</ETag></Part>"
                + "<Part><PartNumber>2</PartNumber><ETag>\(two.header("ETag")!)</ETag></Part></CompleteMultipartUpload>"
            let done = try await send(h, "POST", "/multi-item/\(key)?uploadId=\(id)", body: .bytes(Array(xml.utf8)))
            #expect(done.status == 200)
            #expect(h.ia.item("multi-item")?.files[key]?.md5 == MD5.hex(of: pattern(100) + pattern(50, seed: 2)))
        }
        #expect(h.ia.pendingUploads(identifier: "multi-item") == 0)
    }

    @Test func theMetadataAPIShowsMissingDarkAndLiveItemsLikeIA() async throws {
        let h = try IAHarness { ia in
            ia.items = [
                .init(identifier: "dark-item", dark: true),
                .init(
                    identifier: "live-item", metadata: ["subject": ["a", "b"], "title": ["T"]],
                    files: [.init(name: "x.tar", contents: pattern(10))]),
            ]
        }
        defer { h.close() }
        func get(_ id: String) async throws -> [String: Any] {
            let response = try await h.http.send(HTTPRequest(url: h.ia.archiveURL + "/metadata/" + id))
            return try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        }
        #expect(try await get("no-such-item").isEmpty)
        let dark = try await get("dark-item")
        #expect(dark["metadata"] == nil && !dark.isEmpty)
        let live = try await get("live-item")
        let metadata = try #require(live["metadata"] as? [String: Any])
        #expect(metadata["subject"] as? [String] == ["a", "b"])
        #expect(metadata["title"] as? String == "T")
        let files = try #require(live["files"] as? [[String: Any]])
        let tar = try #require(files.first { $0["name"] as? String == "x.tar" })
        #expect(tar["size"] as? String == "10" && tar["source"] as? String == "original")
        #expect(tar["md5"] as? String == MD5.hex(of: pattern(10)))
        #expect(
            files.contains { $0["name"] as? String == "live-item_meta.xml" && $0["source"] as? String == "metadata" })

        let client = ArchiveMetadataClient(http: h.http, endpoints: h.endpoints)
        #expect(try await client.item("no-such-item") == nil)
        #expect(try await client.item("dark-item")?.exists == false)
        #expect(try await client.item("live-item")?.exists == true)
    }

    @Test func simulatedErrorsAnswerLikeIA() async throws {
        let h = try IAHarness()
        defer { h.close() }
        let slow = try await send(
            h, "PUT", "/simulated-item/a", headers: [HTTPHeader("x-archive-simulate-error", "SlowDown")],
            body: .bytes([1]))
        #expect(slow.status == 503)
        #expect(slow.text.contains("simulated error caused by x-(amz|archive)-simulate-error"))
        let help = try await send(
            h, "PUT", "/simulated-item/a", headers: [HTTPHeader("x-archive-simulate-error", "help")],
            body: .bytes([1]))
        #expect(help.text.contains("SlowDown"))
    }
}
