import Essentials

/// Mints and checks the fake CDN's signed URLs, shaped like Meta's:
/// `/m1/v/t6/{id}_{quality}.jpg?stp=s{W}x{H}&ccb=10-6&oh=00_{signature}&oe={hex expiry}&_nc_sid=201bca`.
struct CDNURLSigner: Sendable {
    static let pathPrefix = "/m1/v/t6/"
    private let mac: SandboxMAC

    init(seed: UInt64) {
        mac = SandboxMAC(seed: seed, purpose: "cdn")
    }

    /// What a CDN request's URL turned out to be.
    enum Verdict: Equatable {
        case valid(id: String, quality: SandboxQuality)
        case notFound
        case badSignature
        case expired
    }

    func url(base: String, id: String, quality: SandboxQuality, size: PixelSize, expires: Int64) -> String {
        let oe = String(UInt64(max(0, expires)), radix: 16, uppercase: true)
        return base + Self.pathPrefix + Self.percentEncode(id) + "_" + quality.rawValue + ".jpg"
            + "?stp=s\(size.width)x\(size.height)&ccb=10-6&oh=00_" + signature(id: id, quality: quality, oe: oe)
            + "&oe=" + oe + "&_nc_sid=201bca"
    }

    /// Checks a request: `path` is the decoded path, `oh` and `oe` the query values.
    func verify(path: String, oh: String?, oe: String?, now: Int64) -> Verdict {
        guard path.hasPrefix(Self.pathPrefix), path.hasSuffix(".jpg") else { return .notFound }
        let name = path.dropFirst(Self.pathPrefix.count).dropLast(4)
        guard let underscore = name.lastIndex(of: "_"),
            let quality = SandboxQuality(rawValue: String(name[name.index(after: underscore)...]))
        else { return .notFound }
        let id = String(name[..<underscore])
        guard let oh, let oe, oe.utf8.count <= 16, let expires = UInt64(oe, radix: 16),
            SandboxMAC.equal(Array(oh.utf8), Array(("00_" + signature(id: id, quality: quality, oe: oe)).utf8))
        else { return .badSignature }
        guard Int64(clamping: expires) > now else { return .expired }
        return .valid(id: id, quality: quality)
    }

    private func signature(id: String, quality: SandboxQuality, oe: String) -> String {
        Hex.encode(mac.mac(id + "|" + quality.rawValue + "|" + oe).prefix(12))
    }

    /// Percent-encodes all but unreserved characters (ids are digits; hostile ones are not).
    static func percentEncode(_ text: String) -> String { PercentEncoding.encode(text) }
}
