import Essentials
import Foundation

/// Every failure of the Mapillary module: a code for programs and one plain sentence for people.
///
/// The sentence names the thing that failed and, where there is one, the fix. It never contains
/// the token: API messages are quoted only after ``MapillaryError/sanitized(_:hiding:)``.
public struct MapillaryError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable, Equatable {
        /// `--bbox` is malformed or outside what Mapillary accepts.
        case invalidBoundingBox
        /// 401 or Graph code 190: the token is wrong or expired. Not retried.
        case tokenRejected
        /// The API refused the request (400 and similar). Not retried.
        case requestRefused
        /// The API answered with a body that is not JSON, or JSON of an unexpected shape.
        case notJSON
        /// The answer is JSON but not a page of images.
        case unexpectedResponse
        /// Retryable failures (429, 5xx, resets, timeouts) lasted past the retry policy.
        case retriesExhausted
        /// A network failure that retrying cannot fix (bad URL, local file problem).
        case network
        /// A URL that would carry the token points outside the API origin.
        case foreignURL
        /// The API answered 404 for the image id.
        case imageGone
        /// The image has no URL for the chosen quality, even after asking the API again.
        case renditionMissing
        /// The CDN answered 200 with bytes that are not a JPEG.
        case notJPEG
        /// The CDN kept refusing the image (after its retries and URL refreshes); the next run tries it again.
        case downloadRefused
        /// One image took longer than its time limit over all its attempts; the next run tries it again.
        case timeLimit
        /// The image is larger than the caller's byte limit.
        case imageTooLarge
        /// One record of a page is unusable (unsafe id or sequence, not an object).
        case recordRefused
    }

    public let code: Code
    public let description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    /// True for failures about one image that a later run will meet again (not worth retrying now).
    public var isPermanentForImage: Bool {
        switch code {
        // A CDN that keeps refusing (downloadRefused) may answer tomorrow: the next run tries again.
        case .imageGone, .renditionMissing, .notJPEG, .imageTooLarge, .recordRefused: true
        default: false
        }
    }

    /// Makes untrusted text (an API message, a field value) safe for one log line: every form of `hiding` (see
    /// ``SecretMask``: raw, percent-encoded, its secret part alone) replaced by `‹token›`, control characters
    /// escaped, and the result capped near `limit` characters (after the masking, so a cut never leaves part of
    /// a secret).
    public static func sanitized(_ text: String, hiding secret: String? = nil, limit: Int = 200) -> String {
        sanitized(text, hiding: SecretMask(secret.map { [$0] } ?? [], marker: "‹token›"), limit: limit)
    }

    /// ``sanitized(_:hiding:limit:)`` with a mask made once (the client's).
    public static func sanitized(_ text: String, hiding mask: SecretMask, limit: Int = 200) -> String {
        let source = mask.masking(text)
        var out = ""
        var count = 0
        for scalar in source.unicodeScalars {
            if count >= limit {
                out += "…"
                break
            }
            let piece: String
            switch scalar.value {
            case 0x0A: piece = "\\n"
            case 0x0D: piece = "\\r"
            case 0x09: piece = "\\t"
            case 0x00..<0x20, 0x7F, 0x80..<0xA0, 0x2028, 0x2029:
                piece = "\\u{" + String(scalar.value, radix: 16) + "}"
            // Bidi overrides, zero-width and other invisible formatting characters would disguise a line.
            case _ where scalar.properties.generalCategory == .format:
                piece = "\\u{" + String(scalar.value, radix: 16) + "}"
            default: piece = String(scalar)
            }
            out += piece
            count += piece.unicodeScalars.count
        }
        return out
    }
}
