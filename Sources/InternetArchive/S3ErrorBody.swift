import Essentials

/// IAS3's error body: `<Error><Code/><Message/><Resource/><RequestId/></Error>`, with the uploader's secret key
/// hidden in every field (an answer that echoes it must not carry it into a sentence or a log line).
struct S3ErrorBody: Sendable {
    let code: String
    let message: String
    /// IA's human detail (the reason for a SlowDown, the identifier rule, the BadDigest sums); may be empty.
    let resource: String

    /// Parses `body`; nil when it is not an S3 error document (an HTML 5xx page, say).
    init?(_ body: [UInt8], hiding mask: SecretMask) {
        let text = String(decoding: body.prefix(64 << 10), as: UTF8.self)
        guard text.contains("<Error"), let code = S3XML.value("Code", in: text) else { return nil }
        // The code goes into sentences and log lines as it is (the message and resource through `detail`).
        self.code = Self.flatten(mask.masking(code))
        self.message = mask.masking(S3XML.value("Message", in: text) ?? "")
        self.resource = mask.masking(S3XML.value("Resource", in: text) ?? "")
    }

    /// "{Message} - {Resource}", or the Message alone when the Resource is empty (as the `ia` client shows it),
    /// cut to 600 characters and with control characters flattened.
    var detail: String {
        let combined = resource.isEmpty ? message : message + " - " + resource
        let flat = String(combined.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
        return flat.count > 600 ? String(flat.prefix(600)) + "…" : flat
    }

    /// True for the spam verdict, which is permanent: retrying the same identifier fails for days.
    var isSpam: Bool {
        resource.contains("appears to be spam") || message.contains("appears to be spam")
    }
}
