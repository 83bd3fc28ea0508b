import Essentials

/// One query of an area survey: a box the API accepts, and optionally a capture-time window.
///
/// A piece whose answer may have been cut at the API's cap is split (``split()``): into smaller boxes while
/// its sides are at least twice ``minimumSide``, then into two halves of its capture-time window, down to one
/// second. Children overlap their parent's edges (boxes share edges, windows share their middle second), so no
/// image falls between them; the caller counts each image id once.
public struct AreaPiece: Sendable, Equatable {
    /// A capture-time window in whole seconds since 1970, both ends included (`start_captured_at`,
    /// `end_captured_at`).
    public struct Window: Sendable, Equatable {
        public let start: Int64
        public let end: Int64

        public init(start: Int64, end: Int64) {
            self.start = start
            self.end = end
        }

        /// Every capture time an image can plausibly have (as ``ImageRecord/plausibleCaptureTimes``).
        public static let all = Window(
            start: ImageRecord.plausibleCaptureTimes.lowerBound / 1000,
            end: ImageRecord.plausibleCaptureTimes.upperBound / 1000)
    }

    /// Boxes are split into quarters only while a side is at least twice this (degrees, about 11 m of latitude).
    public static let minimumSide = 0.0001

    public let box: BoundingBox
    public let window: Window?

    public init(box: BoundingBox, window: Window? = nil) {
        self.box = box
        self.window = window
    }

    /// The pieces that together cover this one, or nil when it cannot be split further (a box at the minimum
    /// size with a window of one second).
    public func split() -> [AreaPiece]? {
        let width = box.east - box.west, height = box.north - box.south
        let cutColumns = width >= 2 * Self.minimumSide, cutRows = height >= 2 * Self.minimumSide
        if window == nil, cutColumns || cutRows {
            let columns = cutColumns ? [box.west, box.west + width / 2, box.east] : [box.west, box.east]
            let rows = cutRows ? [box.south, box.south + height / 2, box.north] : [box.south, box.north]
            var children: [AreaPiece] = []
            for row in 0..<rows.count - 1 {
                for column in 0..<columns.count - 1 {
                    // Inside the parent, so within the API's limit.
                    children.append(
                        AreaPiece(
                            box: try! BoundingBox(
                                west: columns[column], south: rows[row],
                                east: columns[column + 1], north: rows[row + 1])))
                }
            }
            return children
        }
        let window = self.window ?? .all
        guard window.end - window.start >= 2 else { return nil }
        let middle = window.start + (window.end - window.start) / 2
        return [
            AreaPiece(box: box, window: Window(start: window.start, end: middle)),
            AreaPiece(box: box, window: Window(start: middle, end: window.end)),
        ]
    }

    /// `2022-08-16T16:42:46Z`: the ISO 8601 form the API takes for capture times.
    public static func isoTime(seconds: Int64) -> String {
        UTCCalendar.iso8601(milliseconds: seconds * 1000)
    }

    /// `bbox W,S,E,N`, plus the window when there is one: for messages and logs.
    public var label: String {
        guard let window else { return box.queryValue }
        return box.queryValue + " " + Self.isoTime(seconds: window.start) + "…" + Self.isoTime(seconds: window.end)
    }
}
