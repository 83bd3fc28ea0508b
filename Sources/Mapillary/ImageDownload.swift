/// The bytes of one image from the CDN, with the URL that served them (fresher than the listing's
/// when the listing's had expired).
public struct ImageDownload: Sendable {
    public let bytes: [UInt8]
    public let url: String

    public init(bytes: [UInt8], url: String) {
        self.bytes = bytes
        self.url = url
    }
}
