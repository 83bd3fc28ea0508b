import Essentials
/// The scheme, host and port of an http(s) URL: the unit the token may be sent to.
///
/// Parsing is deliberately narrow: http and https only, no user info (`user@host` is refused:
/// it is a classic way to make a foreign host look like the API's).
struct URLOrigin: Equatable, Sendable, CustomStringConvertible {
    let scheme: String
    let host: String
    let port: Int

    init?(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.contains("@"),
            !authority.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") })
        else { return nil }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { return nil }
        var port = scheme == "https" ? 443 : 80
        if let portText, !portText.isEmpty {
            guard portText.count <= 5, let value = Int(portText), (1...65535).contains(value) else { return nil }
            port = value
        }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
    }

    var description: String { "\(scheme)://\(host):\(port)" }
}

/// Small helpers for the query part of the URLs this module builds and edits.
enum URLQuery {
    /// Percent-encodes everything except RFC 3986 unreserved characters.
    static func encode(_ text: String) -> String { PercentEncoding.encode(text) }

    /// The raw (still encoded) value of the first `name=` parameter in `url`'s query.
    static func value(of name: String, in url: String) -> String? {
        guard let question = url.firstIndex(of: "?") else { return nil }
        let query = url[url.index(after: question)...].prefix { $0 != "#" }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts[0] == name { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }

    /// `url` with every `name=` parameter set to `value` (appended when absent).
    static func setting(_ name: String, to value: String, in url: String) -> String {
        guard let question = url.firstIndex(of: "?") else { return url + "?" + name + "=" + value }
        let base = url[..<question]
        let afterQuestion = url[url.index(after: question)...]
        let query = afterQuestion.prefix { $0 != "#" }
        let fragment = afterQuestion[query.endIndex...]
        var found = false
        var pairs = query.split(separator: "&").map { pair -> String in
            let key = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
            guard key == name else { return String(pair) }
            found = true
            return name + "=" + value
        }
        if !found { pairs.append(name + "=" + value) }
        return base + "?" + pairs.joined(separator: "&") + fragment
    }

    /// An http(s) URL without spaces or control characters; nil otherwise (`file://` and friends
    /// must never reach the transfer library).
    static func webURL(_ text: String) -> String? {
        let lower = text.prefix(8).lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://"),
            !text.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F })
        else { return nil }
        return text
    }

    /// `url` with the value of any `access_token` parameter replaced, for logs.
    static func redacted(_ url: String) -> String {
        guard value(of: "access_token", in: url) != nil else { return url }
        return setting("access_token", to: "REDACTED", in: url)
    }
}
