/// The slowest a transfer may be: fewer than `bytesPerSecond` × `window` bytes moved (in either direction) within
/// one `window` stops it with `.timeout`. Windows follow each other from the first progress call, so waiting for
/// the connection and the response counts too.
public struct TransferSpeedFloor: Sendable, Equatable {
    public var bytesPerSecond: Int
    public var window: Duration

    public init(bytesPerSecond: Int, window: Duration) {
        self.bytesPerSecond = bytesPerSecond
        self.window = window
    }

    /// The bytes a window must move.
    var bytesPerWindow: Int64 {
        let (seconds, attoseconds) = window.components
        return Int64((Double(bytesPerSecond) * (Double(seconds) + Double(attoseconds) / 1e18)).rounded(.up))
    }
}
