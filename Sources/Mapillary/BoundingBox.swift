import Essentials

/// A `--bbox` area in degrees: west, south, east, north (Mapillary's `minLon,minLat,maxLon,maxLat`).
///
/// Mapillary rejects boxes of 0.01 square degrees or more, so such boxes are refused here before
/// any request is sent. Boxes crossing the antimeridian (west > east) are not supported by the API.
public struct BoundingBox: Sendable, Equatable, CustomStringConvertible {
    /// The largest area (exclusive) the Graph API accepts, in square degrees.
    public static let maximumArea = 0.01

    public let west: Double
    public let south: Double
    public let east: Double
    public let north: Double

    /// Validates the four edges; throws ``MapillaryError`` (`invalidBoundingBox`) with the reason.
    public init(west: Double, south: Double, east: Double, north: Double) throws {
        let all = [west, south, east, north]
        guard all.allSatisfy(\.isFinite),
            (-180.0...180.0).contains(west), (-180.0...180.0).contains(east),
            (-90.0...90.0).contains(south), (-90.0...90.0).contains(north)
        else {
            throw MapillaryError(
                .invalidBoundingBox,
                "the bounding box \(Self.text(all)) is out of range; longitudes must lie within -180…180 and latitudes within -90…90"
            )
        }
        guard west < east else {
            throw MapillaryError(
                .invalidBoundingBox,
                "the bounding box's west edge \(Self.number(west)) is not less than its east edge \(Self.number(east)); give it as W,S,E,N"
            )
        }
        guard south < north else {
            throw MapillaryError(
                .invalidBoundingBox,
                "the bounding box's south edge \(Self.number(south)) is not less than its north edge \(Self.number(north)); give it as W,S,E,N"
            )
        }
        let area = (east - west) * (north - south)
        guard area < Self.maximumArea else {
            throw MapillaryError(
                .invalidBoundingBox,
                "the bounding box covers \(ByteFormat.formatFixed(area, decimals: 4)) square degrees but Mapillary accepts less than 0.01; use a smaller box"
            )
        }
        self.west = west
        self.south = south
        self.east = east
        self.north = north
    }

    /// Parses `W,S,E,N` (four decimal numbers separated by commas, spaces around them allowed).
    public init(parsing text: String) throws {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: " \t") }
        let numbers = parts.compactMap(Self.parseDecimal)
        guard parts.count == 4, numbers.count == 4 else {
            throw MapillaryError(
                .invalidBoundingBox,
                "the bounding box \"\(MapillaryError.sanitized(text, limit: 80))\" is not four numbers; give it as W,S,E,N, e.g. 13.40,52.51,13.45,52.53"
            )
        }
        try self.init(west: numbers[0], south: numbers[1], east: numbers[2], north: numbers[3])
    }

    /// Area in square degrees.
    public var area: Double { (east - west) * (north - south) }

    /// The `bbox` query value: `W,S,E,N` with the numbers as given (shortest exact form).
    public var queryValue: String { Self.text([west, south, east, north]) }

    public var description: String { queryValue }

    /// True when the point lies inside or on the edge of the box.
    public func contains(longitude: Double, latitude: Double) -> Bool {
        longitude >= west && longitude <= east && latitude >= south && latitude <= north
    }

    /// Accepts plain decimal notation (`-12.5`, `3`, `1e-3`); refuses `nan`, `inf` and hex.
    static func parseDecimal(_ text: String) -> Double? {
        guard !text.isEmpty,
            text.utf8.allSatisfy({
                ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D || $0 == 0x2B
                    || $0 == 0x65 || $0 == 0x45
            })
        else { return nil }
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func text(_ values: [Double]) -> String {
        values.map(number).joined(separator: ",")
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        let drop = Set(set)
        var slice = self[...]
        while let first = slice.first, drop.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, drop.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
