import HTTPClientKit

/// What the caller of ``MapillaryClient/downloadImage(id:url:quality:maxBytes:observer:)`` hears while one image
/// is fetched.
public struct DownloadObserver: Sendable {
    /// Called on the HTTP thread whenever a CDN transfer of the image moves; must be cheap and must not block.
    public var progress: (@Sendable (TransferProgress) -> Void)?
    /// Called before the image is tried again after a failed attempt: the attempt about to start and why the last
    /// one failed (a fresh URL after a refused one is not a retry).
    public var retrying: (@Sendable (_ attempt: Int, _ reason: String) -> Void)?

    public init(
        progress: (@Sendable (TransferProgress) -> Void)? = nil,
        retrying: (@Sendable (_ attempt: Int, _ reason: String) -> Void)? = nil
    ) {
        self.progress = progress
        self.retrying = retrying
    }
}
