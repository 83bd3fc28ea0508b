import Essentials
import Foundation
import HTTPClientKit
@testable import InternetArchive
import Logging

/// `ia-answer`: one body as IAS3 or archive.org might send it, through every reader of such answers: the S3 error
/// document (and the refusal sentence built from it), the UploadId of an initiate, ListParts' parts (then sent
/// back in a CompleteMultipartUpload), the metadata API's item, check_limit and the scrape page.
enum IAAnswerTarget {
    static let secret = "fuzz0secret0key0never0shown"
    static let requests: S3Requests = {
        guard let credentials = try? IACredentials(accessKey: "FUZZACCESSKEY", secretKey: secret) else {
            fail("the fuzz credentials are refused")
        }
        return S3Requests(
            endpoints: IAEndpoints(), credentials: credentials, identifier: "fuzz-item",
            stallTimeout: .seconds(1))
    }()
    static let exchange = S3Exchange(
        http: HTTPClient(), requests: requests, options: UploadOptions(),
        run: UploadRun(identifier: "fuzz-item", handler: nil),
        logger: Logger(label: "parser-fuzz"))

    static func run(_ body: [UInt8]) {
        let error = S3ErrorBody(body, hiding: requests.mask)
        if let error {
            require(isOneLine(error.detail), "an S3 error's detail is not one line")
            _ = error.isSpam
        }
        for status in [400, 403, 404, 409, 503] {
            let response = HTTPResponse(status: status, headers: [], body: body, bodyBytes: Int64(body.count))
            let sentence = exchange.refusal(response, error, "the upload of fuzz.tar").description
            require(isOneLine(sentence), "a refusal sentence is not one line: \(sentence)")
            require(sentence.utf8.firstRange(of: secret.utf8) == nil, "the secret key appears in a refusal")
        }
        let text = String(decoding: body, as: UTF8.self)
        _ = S3XML.value("UploadId", in: text)
        _ = S3XML.value("IsTruncated", in: text)
        _ = S3XML.value("NextPartNumberMarker", in: text).flatMap { Int($0) }
        checkPartsRoundTrip(text)
        require(MarkupText.decode(MarkupText.escape(text)) == text, "escaping then decoding changes a text")

        _ = try? RemoteItem.parse(body, identifier: "fuzz-item")
        if let object = JSONValue.archiveObject(body) {
            // check_limit's answer, as S3Exchange reads it.
            if let overLimit = object["over_limit"] { _ = overLimit.isInteger && overLimit.doubleValue == 0 }
            // A scrape page, as ScrapeClient reads it.
            for case .object(let item) in object["items"]?.arrayValue ?? [] {
                _ = ScrapedItem(fields: item.mapValues(\.texts))
            }
            _ = object["cursor"]?.scalarText
        }
    }

    /// Parts read as `listParts` reads them, written into a CompleteMultipartUpload, read back the same.
    private static func checkPartsRoundTrip(_ text: String) {
        var parts: [(number: Int, etag: String)] = []
        for block in S3XML.blocks("Part", in: text) {
            guard let number = S3XML.value("PartNumber", in: block).flatMap({ Int($0) }),
                let etag = S3XML.value("ETag", in: block)
            else { continue }
            parts.append((number, etag))
        }
        guard case .bytes(let xml) = requests.complete("fuzz.tar", uploadID: "u", parts: parts).body else {
            fatalError("property broken: CompleteMultipartUpload has no body")
        }
        let sent = S3XML.blocks("Part", in: String(decoding: xml, as: UTF8.self)).map { block in
            (S3XML.value("PartNumber", in: block).flatMap { Int($0) }, S3XML.value("ETag", in: block))
        }
        require(
            sent.count == parts.count && zip(sent, parts).allSatisfy { $0.0 == $1.number && $0.1 == $1.etag },
            "the parts IA listed are not the parts sent back to complete the upload")
    }
}

/// `ia-ini`: the `ia` client's config file, read as `upload` finds its keys in it. Keys that come out can go into
/// an Authorization header, and the secret never shows in what the credentials print or in an error.
enum IAConfigTarget {
    static let path = FuzzWorkspace.path + "/ia.ini"

    static func run(_ file: [UInt8]) {
        FuzzWorkspace.write(file, to: path)
        let parsed = IAConfigFile.parse(String(decoding: file, as: UTF8.self))
        let secret = parsed["s3"]?["secret"] ?? ""
        do {
            let credentials = try IACredentials.resolve(environment: ["IA_CONFIG_FILE": path], home: nil)
            require(
                credentials.secretKey == secret && credentials.accessKey == parsed["s3"]?["access"],
                "the keys differ from the [s3] section")
            for key in [credentials.accessKey, credentials.secretKey] {
                require(
                    !key.isEmpty && !key.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7F || $0 == ":" },
                    "a key that cannot go into an Authorization header was accepted")
            }
        } catch {}
        // The secret never shows in what the credentials print or in an error sentence. A short secret, or one that
        // is a piece of the sentence's own text ("https://arc" of the URL an error names), may match by chance:
        // what shows the secret must show it still when the file holds a stand-in for it instead (its letters and
        // digits as Z; a secret without any is not judged). Found by this target in CI: "https://arc".
        guard secret.count >= 8, !path.contains(secret) else { return }
        let shown = Self.shown()
        guard shown.contains(where: { $0.contains(secret) }) else { return }
        let standIn = String(
            String.UnicodeScalarView(
                secret.unicodeScalars.map { $0.properties.isAlphabetic || $0.properties.numericType != nil ? "Z" : $0 }
            ))
        let standInFile = String(decoding: file, as: UTF8.self).replacingOccurrences(of: secret, with: standIn)
        FuzzWorkspace.write(Array(standInFile.utf8), to: path)
        require(Self.shown().contains(where: { $0.contains(secret) }), "the secret key shows in \(shown)")
    }

    /// What `upload` could print of the keys the file at `path` gives: the credentials, or the error sentence.
    static func shown() -> [String] {
        do {
            let credentials = try IACredentials.resolve(environment: ["IA_CONFIG_FILE": path], home: nil)
            return ["\(credentials)", String(reflecting: credentials), credentials.maskedAuthorization]
        } catch {
            return ["\(error)"]
        }
    }
}
