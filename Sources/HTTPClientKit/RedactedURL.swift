import Essentials

/// A URL as it may appear in messages: scheme, host, port and path only; no user info, query or fragment.
struct RedactedURL: Sendable {
    let text: String
    /// Parts of the original URL that must not appear in any message (query, fragment, user info).
    let secrets: [String]

    init(_ url: String) {
        var rest = Substring(url)
        var secrets: [String] = []
        if let hash = rest.firstIndex(of: "#") {
            secrets.append(String(rest[rest.index(after: hash)...]))
            rest = rest[..<hash]
        }
        if let question = rest.firstIndex(of: "?") {
            secrets.append(String(rest[rest.index(after: question)...]))
            rest = rest[..<question]
        }
        var scheme: Substring = ""
        if let range = rest.firstRange(of: "://") {
            scheme = rest[..<range.upperBound]
            rest = rest[range.upperBound...]
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        let path = rest[authorityEnd...]
        if let at = authority.lastIndex(of: "@") {
            let userInfo = String(authority[..<at])
            secrets.append(userInfo)
            if let colon = userInfo.firstIndex(of: ":") {
                secrets.append(String(userInfo[userInfo.index(after: colon)...]))
            }
            authority = authority[authority.index(after: at)...]
        }
        text = String(scheme) + String(authority) + String(path)
        self.secrets = secrets.filter { $0.count >= 3 }
    }

    /// `message` with every secret part of the URL, and every given header value, replaced by "…" in every form
    /// (see ``SecretMask``: percent-encoded, decoded, a token's secret part).
    func scrub(_ message: String, hiding values: [String] = []) -> String {
        SecretMask(secrets + values, marker: "…").masking(message)
    }
}
