/// Where IA's two hosts are: the S3-like upload API and archive.org (metadata, scrape).
public struct IAEndpoints: Sendable, Equatable {
    /// The IAS3 root, without a trailing slash.
    public let s3: String
    /// The archive.org root, without a trailing slash.
    public let archive: String

    public static let defaultS3 = "https://s3.us.archive.org"
    public static let defaultArchive = "https://archive.org"

    public init(s3: String = IAEndpoints.defaultS3, archive: String = IAEndpoints.defaultArchive) {
        self.s3 = Self.trimmed(s3)
        self.archive = Self.trimmed(archive)
    }

    /// Endpoints from `IA_S3_URL` / `IA_ARCHIVE_URL` where set, else IA's own hosts.
    public static func from(environment: [String: String]) -> IAEndpoints {
        IAEndpoints(
            s3: environment["IA_S3_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultS3,
            archive: environment["IA_ARCHIVE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultArchive)
    }

    /// Throws `.invalidEndpoint` unless both roots are plain http(s) URLs (a host, no query, no spaces).
    public func validate() throws {
        for (url, what, option) in [
            (s3, "IA S3 URL", "--s3-url or IA_S3_URL"), (archive, "IA site URL", "--archive-url or IA_ARCHIVE_URL"),
        ] {
            let lowered = url.lowercased()
            let rest =
                lowered.hasPrefix("https://") ? url.dropFirst(8) : lowered.hasPrefix("http://") ? url.dropFirst(7) : nil
            let host = rest?.prefix { $0 != "/" } ?? ""
            guard !host.isEmpty, !url.contains("?"), !url.contains("#"),
                !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
            else {
                let shown = String(
                    url.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) }.prefix(100))
                throw InternetArchiveError(
                    .invalidEndpoint, "the \(what) \"\(shown)\" is not an http(s) URL; check \(option)")
            }
        }
    }

    /// `{s3}/{identifier}`: names the upload target in the journal, so a sandbox run never counts for IA.
    func target(_ identifier: String) -> String { s3 + "/" + identifier }

    private static func trimmed(_ url: String) -> String {
        var text = url
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
