import Foundation
import HTTPClientKit

extension S3Exchange {
    /// The error for a final 4xx answer: one sentence naming the request, IA's reason and the fix.
    func refusal(_ response: HTTPResponse, _ body: S3ErrorBody?, _ what: String) -> InternetArchiveError {
        let status = response.status
        let code = body?.code ?? ""
        let plain = S3ErrorBody.flatten(
            requests.mask.masking(String(decoding: response.body.prefix(64 << 10), as: UTF8.self))
        )
        .trimmingCharacters(in: .whitespaces)
        let said = body.map { " (IA said: \($0.detail))" } ?? (plain.isEmpty ? "" : " (IA said: \(plain))")
        let identifier = requests.identifier
        let invalidBucket = code == "InvalidBucketName" || body?.message.contains("bucket is not valid") == true
        switch (status, code) {
        case (400, "BadDigest"):
            return InternetArchiveError(
                .badDigest,
                "IA received bytes for \(what) that do not match their MD5\(said); "
                    + "check the disk and the network, then run upload again")
        case (400, _) where invalidBucket:
            return InternetArchiveError(
                .invalidIdentifier,
                "IA refused the identifier \(identifier)\(said); rename the "
                    + "item folder to an identifier IA accepts (lower-case letters, digits, '-', "
                    + "'_' and '.') and upload again")
        case (403, "InvalidAccessKeyId"), (403, "SignatureDoesNotMatch"):
            return InternetArchiveError(
                .accessKeyRejected,
                "IA rejected the access key "
                    + "\(requests.credentials?.maskedAuthorization ?? "") from \(requests.credentials?.source ?? "nowhere"); check --access-key "
                    + "/ IA_ACCESS_KEY_ID / ia.ini (keys are at https://archive.org/account/s3.php)")
        case (403, _):
            return InternetArchiveError(
                .accessDenied,
                "IA denied access to item \(identifier)\(said): it belongs to "
                    + "another account or is over IA's size limit; upload under another identifier, or ask info@archive.org"
            )
        case (404, "NoSuchUpload"):
            return InternetArchiveError(
                .noSuchUpload,
                "IA no longer knows the multipart upload of \(what)\(said); "
                    + "it will be started again")
        case (409, _):
            return InternetArchiveError(
                .conflict,
                "IA refused \(what) with a conflict (HTTP 409 \(code))\(said); wait "
                    + "until the item's running tasks finish, or use another identifier")
        default:
            return InternetArchiveError(
                .rejected,
                "IA refused \(what) with HTTP \(status)"
                    + (code.isEmpty ? "" : " \(code)") + "\(said); check the item's files and metadata")
        }
    }
}

extension S3ErrorBody {
    /// `text` on one line, cut to 300 characters.
    static func flatten(_ text: String) -> String {
        let flat = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
        return flat.count > 300 ? String(flat.prefix(300)) + "…" : flat
    }
}
