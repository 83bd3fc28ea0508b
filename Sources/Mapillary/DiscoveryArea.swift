import Essentials

/// An area of any size to survey (`discover --bbox W,S,E,N`), cut into tiles the Graph API accepts.
///
/// West greater than east means the area crosses the antimeridian: it is then two boxes, W…180 and −180…E.
/// Tiles are a grid over each box with sides of at most ``tileSide`` degrees (0.0098 square degrees, under the
/// API's 0.01), spread evenly, so a 0.5° × 0.5° area is 6 × 6 = 36 tiles.
public struct DiscoveryArea: Sendable, Equatable, CustomStringConvertible {
    /// One box of the area: west < east, south < north, any size.
    public struct Box: Sendable, Equatable {
        public let west: Double
        public let south: Double
        public let east: Double
        public let north: Double

        /// Columns and rows of its tile grid.
        var grid: (columns: Int, rows: Int) {
            (Self.cells(east - west), Self.cells(north - south))
        }

        static func cells(_ span: Double) -> Int {
            max(1, Int((span / DiscoveryArea.tileSide).rounded(.up)))
        }
    }

    /// The longest side of a tile, in degrees (0.099² = 0.009801 square degrees, under the API's 0.01).
    public static let tileSide = 0.099
    /// Areas of more tiles than this need a confirmation (`--yes`).
    public static let confirmationTileCount = 1_000

    /// The edges as given: west, south, east, north.
    public let west: Double
    public let south: Double
    public let east: Double
    public let north: Double
    /// One box, or two when the area crosses the antimeridian.
    public let boxes: [Box]

    /// Parses `W,S,E,N` (four decimal numbers; west greater than east crosses the antimeridian). Throws
    /// ``MapillaryError`` (`invalidBoundingBox`) with the reason.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: " \t") }
        let numbers = parts.compactMap(BoundingBox.parseDecimal)
        guard parts.count == 4, numbers.count == 4 else {
            throw MapillaryError(
                .invalidBoundingBox,
                "the area \"\(MapillaryError.sanitized(text, limit: 80))\" is not four numbers; give it as W,S,E,N, e.g. 13.2,52.4,13.6,52.6"
            )
        }
        try self.init(west: numbers[0], south: numbers[1], east: numbers[2], north: numbers[3])
    }

    /// Validates the four edges; throws ``MapillaryError`` (`invalidBoundingBox`) with the reason.
    public init(west: Double, south: Double, east: Double, north: Double) throws {
        let shown = BoundingBox.text([west, south, east, north])
        guard (-180.0...180.0).contains(west), (-180.0...180.0).contains(east),
            (-90.0...90.0).contains(south), (-90.0...90.0).contains(north)
        else {
            throw MapillaryError(
                .invalidBoundingBox,
                "the area \(shown) is out of range; longitudes must lie within -180…180 and latitudes within -90…90")
        }
        guard south < north else {
            throw MapillaryError(
                .invalidBoundingBox,
                "the area's south edge \(BoundingBox.number(south)) is not less than its north edge \(BoundingBox.number(north)); give it as W,S,E,N"
            )
        }
        // Across the antimeridian (west > east): W…180 and −180…E, leaving out a side of no width.
        let boxes =
            west < east
            ? [Box(west: west, south: south, east: east, north: north)]
            : [
                Box(west: west, south: south, east: 180, north: north),
                Box(west: -180, south: south, east: east, north: north),
            ].filter { $0.west < $0.east }
        guard west != east, !boxes.isEmpty else {
            throw MapillaryError(
                .invalidBoundingBox,
                "the area's west and east edges \(BoundingBox.number(west)) and \(BoundingBox.number(east)) are the same meridian; give it as W,S,E,N"
            )
        }
        self.west = west
        self.south = south
        self.east = east
        self.north = north
        self.boxes = boxes
    }

    /// `W,S,E,N` as given (shortest exact numbers): the area's name in messages and state files.
    public var description: String { BoundingBox.text([west, south, east, north]) }

    /// True when the area crosses the antimeridian (given with west greater than east).
    public var crossesAntimeridian: Bool { west > east }

    /// Square degrees covered.
    public var area: Double { boxes.reduce(0) { $0 + ($1.east - $1.west) * ($1.north - $1.south) } }

    /// How many tiles cover the area (each is at least one request).
    public var tileCount: Int { boxes.reduce(0) { $0 + $1.grid.columns * $1.grid.rows } }

    /// Tile number `index` (0 ..< ``tileCount``): boxes in order, each row by row from the south-west.
    public func tile(_ index: Int) -> BoundingBox {
        precondition(index >= 0 && index < tileCount, "tile \(index) of \(tileCount)")
        var rest = index
        for box in boxes {
            let (columns, rows) = box.grid
            guard rest >= columns * rows else {
                let column = rest % columns, row = rest / columns
                func edge(_ low: Double, _ high: Double, _ i: Int, _ n: Int) -> Double {
                    i == n ? high : low + (high - low) * Double(i) / Double(n)
                }
                // Within the API's limit by construction: sides of at most `tileSide`.
                return try! BoundingBox(
                    west: edge(box.west, box.east, column, columns),
                    south: edge(box.south, box.north, row, rows),
                    east: edge(box.west, box.east, column + 1, columns),
                    north: edge(box.south, box.north, row + 1, rows))
            }
            rest -= columns * rows
        }
        preconditionFailure("unreachable")
    }
}
