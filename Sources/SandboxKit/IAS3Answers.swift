import Essentials
import Foundation

/// IAS3's XML answers, with IA's own wording where it is known.
enum IAS3Answers {
    static func errorXML(code: String, message: String, resource: String) -> [UInt8] {
        let resourcePart = resource.isEmpty ? "<Resource />" : "<Resource>\(MarkupText.escape(resource))</Resource>"
        let text =
            "<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>\(MarkupText.escape(code))</Code><Message>"
            + "\(MarkupText.escape(message))</Message>\(resourcePart)<RequestId>\(UUID().uuidString.lowercased())</RequestId></Error>"
        return Array(text.utf8)
    }

    static func send(_ response: IAReply, status: Int, code: String, message: String, resource: String = "") {
        response.send(
            status: status, headers: [("Content-Type", "application/xml")],
            body: errorXML(code: code, message: message, resource: resource))
    }

    static let slowDownMessage = "Please reduce your request rate."
    static let queueResource = "total_tasks_queued exceeds global_limit"
    static let simulatedResource =
        "simulated error caused by x-(amz|archive)-simulate-error, try x-archive-simulate-error:help"
    static let invalidBucketMessage = "The specified bucket is not valid."
    static let invalidBucketResource =
        "Bucket names should be valid archive identifiers; try someting matching this "
        + "regular expression: ^[a-zA-Z0-9][a-zA-Z0-9_.-]{4,100}$ (or, if you are making unusual identifiers, this "
        + "user may lack the special permission to do so)"
    static let badKeyMessage = "The AWS Access Key Id you provided does not exist in our records."
    static let badDigestMessage = "The Content-MD5 you specified did not match what we received."

    static func spamResource(identifier: String, email: String) -> String {
        "Your upload of \(identifier) from username \(email) appears to be spam. If you believe this is a mistake, "
            + "contact info@archive.org and include this entire message in your email."
    }

    static func sizeLimitResource(total: Int64, limit: Int64) -> String {
        "This item total number of bytes(\(total)) is over the per item size limit of \(limit). Please contact "
            + "info@archive.org for help fitting your data into the archive."
    }

    /// Codes `x-archive-simulate-error` knows, with their status and message.
    static let simulated: [String: (status: Int, message: String)] = [
        "SlowDown": (503, slowDownMessage),
        "AccessDenied": (403, "Access Denied"),
        "InternalError": (500, "We encountered an internal error. Please try again."),
        "ServiceUnavailable": (503, "Please reduce your request rate."),
        "BadDigest": (400, badDigestMessage),
        "InvalidAccessKeyId": (403, badKeyMessage),
    ]

    /// The inner texts of every `<tag>…</tag>` (attributes on the tag allowed).
    static func elements(_ tag: String, in text: String) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        while let open = rest.firstRange(of: "<" + tag) {
            let after = rest[open.upperBound...]
            guard let next = after.first else { break }
            guard next == ">" || next == " " else {
                rest = after
                continue
            }
            guard let headEnd = after.firstIndex(of: ">"),
                let close = after[after.index(after: headEnd)...].firstRange(of: "</" + tag + ">")
            else { break }
            out.append(String(after[after.index(after: headEnd)..<close.lowerBound]))
            rest = after[close.upperBound...]
        }
        return out
    }
}
