import Essentials
import HTTPClientKit
import Imaging
import Logging
@testable import Mapillary

/// `graph-page`: a Graph API answer as `fetchPage`, `discover` and the URL refresh read it: judged (JSON error
/// objects, the token hidden from their text), scanned into records or refusals (or creators), and the next-page
/// link checked and edited.
enum GraphPageTarget {
    static let token = "MLY|4242|fuzz0token0that0must0never0show"
    static let client = MapillaryClient(
        http: HTTPClient(), apiBase: "https://graph.mapillary.com", token: token,
        logger: Logger(label: "parser-fuzz"))

    static func run(_ body: [UInt8]) {
        let response = HTTPResponse(
            status: 200, headers: [HTTPHeader("Content-Type", "application/json")], body: body,
            bodyBytes: Int64(body.count))
        let verdict: APIVerdict
        do {
            verdict = try client.judge(response)
        } catch {
            requireNoToken("\(error)")
            return
        }
        switch verdict {
        case .ok(.collection(let elements, let paging), _):
            checkCreators(body, elements, paging)
            guard
                let page = try? ImagePage.build(
                    body: body, elements: elements, paging: paging, quality: .q1024,
                    limitUsed: 100)
            else { return }
            for record in page.records { ImageRecordTarget.check(record, quality: .q1024) }
            for rejected in page.rejected {
                require(
                    !rejected.preview.unicodeScalars.contains { $0.value < 0x20 },
                    "a refused record's preview holds a control character")
            }
            if let next = page.next { checkNextLink(next) }
        case .ok(.object(let object), _):
            _ = object[Quality.q1024.thumbField]?.stringValue.flatMap(URLQuery.webURL)
        case .ok(.error, _):
            fatalError("property broken: judge let a Graph error object through as a success")
        case .lessData(let text), .transient(let text, _), .notFound(let text), .refused(let text):
            requireNoToken(text)
        }
    }

    /// The same page read as `discover` reads it: a username the tool accepts is one line of plain text (it
    /// becomes a queue entry, an identifier, log lines).
    private static func checkCreators(_ body: [UInt8], _ elements: [Range<Int>], _ paging: JSONValue?) {
        guard let page = try? CreatorPage.build(body: body, elements: elements, paging: paging, limitUsed: 100) else {
            return
        }
        for name in page.sightings.compactMap(\.username) where MapillaryUsername.problem(name) == nil {
            require(
                isOneLine(name) && !name.isEmpty,
                "an unusable username was accepted: \(name.debugDescription)")
        }
        if let next = page.next { _ = PageLink.identity(of: next) }
    }

    /// The link is accepted only on the API origin, and shrinking its page size is read back as asked.
    private static func checkNextLink(_ next: String) {
        do {
            try client.requireAPIOrigin(next, what: "next-page link")
            require(URLOrigin(next) == client.apiOrigin, "a link off the API origin was accepted")
        } catch {
            requireNoToken("\(error)")
        }
        _ = MapillaryClient.quality(ofPageURL: next)
        let smaller = URLQuery.setting("limit", to: "25", in: next)
        require(MapillaryClient.limit(of: smaller) == 25, "a link's limit set to 25 reads back as another size")
        let redacted = URLQuery.redacted(next)
        let shown = URLQuery.value(of: "access_token", in: redacted)
        require(shown == nil || shown == "REDACTED", "a redacted link still shows its access_token")
    }

    private static func requireNoToken(_ text: String) {
        require(text.utf8.firstRange(of: token.utf8) == nil, "the token appears in a message: \(text)")
    }
}

/// `image-record`: one element of a page's `data` list as the pipeline reads it from the state database, then
/// what its fields become: the capture metadata written into a JPEG's EXIF and panorama XMP.
enum ImageRecordTarget {
    /// A small valid JPEG the record's metadata is written into.
    static let jpeg: [UInt8] = {
        let pixels = [UInt8](repeating: 0x80, count: 16 * 16 * 3)
        guard let jpeg = try? JPEGEncoder.encode(rgb: pixels, width: 16, height: 16) else {
            fail("libjpeg-turbo could not encode the 16×16 test image")
        }
        return jpeg
    }()

    static func run(_ json: [UInt8]) {
        guard let record = try? ImageRecord(rawJSON: json, quality: .q2048) else { return }
        check(record, quality: .q2048)
        // As UserDownload.captureMetadata maps a record (the API's preferences applied).
        let position = record.preferredPosition
        let metadata = CaptureMetadata(
            make: record.make, model: record.model, width: record.width,
            height: record.height, capturedAtMillis: record.capturedAt,
            latitude: position?.latitude, longitude: position?.longitude,
            altitude: record.preferredAltitude, heading: record.preferredHeading,
            isPano: record.isPanorama)
        // Problems with metadata are warnings: a good JPEG always comes out, and reads back whole.
        do {
            let result = try ImageTranscoder(format: .jpeg).transcode(jpeg, metadata: metadata)
            JPEGTarget.checkArchivedJPEG(result.bytes, metadata)
        } catch {
            fatalError("property broken: a record's metadata made a good JPEG fail: \(error)")
        }
    }

    /// What every accepted record promises: safe names for paths, one line of JSON that parses to the same record,
    /// and a thumbnail URL that can only be http(s).
    static func check(_ record: ImageRecord, quality: Quality) {
        require(ImageRecord.isSafeName(record.id), "an unsafe id was accepted")
        require(record.sequence.map(ImageRecord.isSafeName) ?? true, "an unsafe sequence was accepted")
        require(
            !record.rawJSON.contains(0x0A) && !record.rawJSON.contains(0x0D),
            "a record's JSON is not one line (metadata.jsonl.gz holds one record per line)")
        require(
            (try? ImageRecord(rawJSON: record.rawJSON, quality: quality)) == record,
            "a record's stored JSON reads back as another record")
        require(record.thumbURL.map { URLQuery.webURL($0) == $0 } ?? true, "a thumbnail URL that is not http(s)")
    }
}
