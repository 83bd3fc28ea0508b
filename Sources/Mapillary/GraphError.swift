import Essentials

/// The error object of a Graph API answer: `{"error":{"message","type","code","error_subcode","fbtrace_id"}}`.
struct GraphError: Sendable, Equatable {
    let message: String
    let type: String?
    let code: Int?
    let subcode: Int?
    let fbtraceID: String?

    /// Reads the `error` member of a top-level object; nil when there is none.
    init?(errorMember value: JSONValue?) {
        guard let value, value != .null else { return nil }
        if case .string(let text) = value {
            message = text
            type = nil
            code = nil
            subcode = nil
            fbtraceID = nil
            return
        }
        message = value["message"]?.stringValue ?? value["error_user_msg"]?.stringValue ?? "no message"
        type = value["type"]?.stringValue
        code = value["code"]?.int64Value.flatMap { Int(exactly: $0) }
        subcode = value["error_subcode"]?.int64Value.flatMap { Int(exactly: $0) }
        fbtraceID = value["fbtrace_id"]?.stringValue
    }

    /// Graph codes Meta documents as transient: 1 unknown, 2 service, 4 app rate limit, 17 user rate limit,
    /// 341 app limit, 368 temporarily blocked.
    static let transientCodes: Set<Int> = [1, 2, 4, 17, 341]

    /// True for "Please reduce the amount of data you're asking for, then retry your request".
    var asksForLessData: Bool {
        message.lowercased().contains("reduce the amount of data")
    }

    var isTokenProblem: Bool { code == 190 || type == "OAuthException" && code == 102 }

    /// `message (type, code N)`, sanitised for a log line and with every form of the token hidden.
    func summary(hiding mask: SecretMask) -> String {
        var details: [String] = []
        if let type { details.append(MapillaryError.sanitized(type, hiding: mask, limit: 40)) }
        if let code { details.append("code \(code)") }
        let text = MapillaryError.sanitized(message, hiding: mask)
        return details.isEmpty ? text : text + " (" + details.joined(separator: ", ") + ")"
    }
}
