import Foundation
import HTTPServerKit

extension MapillaryService {
    /// With ``SandboxConfiguration/echoTokenInErrors``: a Graph error body whose message also quotes the token the
    /// request presented, in every form a careless API might (raw, percent-encoded with upper- and lower-case hex,
    /// and its secret part after the last `|`), so tests can check that no form leaks into a console line, a log
    /// file, an error sentence or the state. Other bodies, and requests without a token, are left as they are.
    func echoingToken(_ body: [UInt8], for request: ServerRequest) -> [UInt8] {
        guard let token = Self.presentedToken(request), !token.isEmpty,
            var object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
            var error = object["error"] as? [String: Any], let message = error["message"] as? String
        else {
            return body
        }
        let upper = CDNURLSigner.percentEncode(token)
        let lower = Self.lowerCaseEscapes(upper)
        let secret = token.split(separator: "|", omittingEmptySubsequences: false).last.map(String.init) ?? token
        error["message"] = message + " [token \(token); url-encoded \(upper) or \(lower); secret part \(secret)]"
        object["error"] = error
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]) else {
            return body
        }
        return Array(data)
    }

    /// The token of `Authorization: OAuth|Bearer …`, else of the `access_token` query value.
    static func presentedToken(_ request: ServerRequest) -> String? {
        if let header = request.header("Authorization") {
            let parts = header.split(separator: " ", maxSplits: 1)
            return parts.count == 2 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : nil
        }
        return request.queryValue("access_token")
    }

    /// `%7C` → `%7c`: the hex digits of every escape in lower case.
    static func lowerCaseEscapes(_ encoded: String) -> String {
        var out = ""
        var pending = 0
        for character in encoded {
            if character == "%" {
                pending = 2
                out.append(character)
            } else if pending > 0 {
                pending -= 1
                out += character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }
}
