import Essentials

/// How far a running job got, as its worker reports it with each heartbeat (``JobQueue/renew(_:progress:)``):
/// only the worker knows it, and `queue status` and the campaign page show it.
public struct JobProgress: Sendable, Hashable, Encodable {
    /// Images archived so far (in this attempt or earlier ones).
    public var images: Int
    /// Images listed so far: the contributor's total once ``listingComplete``.
    public var listed: Int
    /// The listing reached its end, so ``listed`` is the total.
    public var listingComplete: Bool
    /// Bytes of the item written so far.
    public var bytes: Int64

    public init(images: Int, listed: Int, listingComplete: Bool, bytes: Int64) {
        self.images = images
        self.listed = listed
        self.listingComplete = listingComplete
        self.bytes = bytes
    }

    /// `1,234 images of 5,000, 2.14 GB` (`of 5,000 listed so far` while the listing goes on).
    public var summary: String {
        "\(ByteFormat.grouped(images)) images of \(ByteFormat.grouped(listed))\(listingComplete ? "" : " listed so far"), \(ByteFormat.size(bytes))"
    }
}
