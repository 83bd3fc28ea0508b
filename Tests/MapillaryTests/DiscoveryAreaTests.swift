import Mapillary
import Testing

@Suite struct DiscoveryAreaTests {
    /// Every tile, as (west, south, east, north).
    static func tiles(_ area: DiscoveryArea) -> [BoundingBox] {
        (0..<area.tileCount).map(area.tile)
    }

    @Test func aHalfDegreeSquareIsThirtySixTilesTheAPIAcceptsThatCoverItExactly() throws {
        let area = try DiscoveryArea(parsing: "13.2, 52.4,13.7,52.9")
        let tiles = Self.tiles(area)
        #expect(area.tileCount == 36 && tiles.count == 36)
        #expect(
            tiles.allSatisfy {
                $0.area < BoundingBox.maximumArea && $0.east - $0.west <= DiscoveryArea.tileSide + 1e-12
            })
        // Tiles meet edge to edge: the sum of their areas is the area, and the outer edges are the area's own.
        #expect(abs(tiles.reduce(0) { $0 + $1.area } - 0.25) < 1e-9)
        #expect(tiles.map(\.west).min() == 13.2 && tiles.map(\.east).max() == 13.7)
        #expect(tiles.map(\.south).min() == 52.4 && tiles.map(\.north).max() == 52.9)
        // Each tile's east edge is another tile's west edge (or the area's), so no strip is left out.
        let wests = Set(tiles.map(\.west)), easts = Set(tiles.map(\.east))
        #expect(easts.subtracting([13.7]) == wests.subtracting([13.2]))
    }

    @Test func westGreaterThanEastCrossesTheAntimeridianAsTwoBoxes() throws {
        let area = try DiscoveryArea(parsing: "179.5,10,-179.5,11")
        #expect(area.crossesAntimeridian)
        #expect(area.boxes.count == 2)
        #expect(area.boxes[0].west == 179.5 && area.boxes[0].east == 180)
        #expect(area.boxes[1].west == -180 && area.boxes[1].east == -179.5)
        #expect(abs(area.area - 1.0) < 1e-12)
        let tiles = Self.tiles(area)
        #expect(tiles.count == 2 * 6 * 11)
        #expect(tiles.contains { $0.contains(longitude: 179.9, latitude: 10.5) })
        #expect(tiles.contains { $0.contains(longitude: -179.9, latitude: 10.5) })
        #expect(!tiles.contains { $0.contains(longitude: 0, latitude: 10.5) })
        #expect(area.description == "179.5,10,-179.5,11")
    }

    @Test func anAreaStartingAtTheAntimeridianIsOneBox() throws {
        let area = try DiscoveryArea(parsing: "180,10,-179.9,10.1")
        #expect(area.boxes.count == 1 && area.boxes[0].west == -180)
    }

    @Test func aTinyAreaIsOneTileAndTheWorldIsManyWithoutListingThem() throws {
        #expect(try DiscoveryArea(parsing: "13.4,52.5,13.4001,52.5001").tileCount == 1)
        let world = try DiscoveryArea(parsing: "-180,-90,180,90")
        #expect(world.tileCount == 3637 * 1819)
        #expect(world.tileCount > DiscoveryArea.confirmationTileCount)
        #expect(world.tile(world.tileCount - 1).north == 90)
    }

    @Test(arguments: [
        ("13.4,52.5,13.45", "is not four numbers"),
        ("a,b,c,d", "is not four numbers"),
        ("13.4,52.5,13.45,52.53,1", "is not four numbers"),
        ("13.4,52.5\n,13.45,52.53", "is not four numbers"),
        ("181,52.5,182,52.53", "is out of range"),
        ("13.4,52.53,13.45,52.5", "south edge 52.53 is not less than its north edge 52.5"),
        ("13.4,52.5,13.4,52.53", "are the same meridian"),
        ("180,0,-180,1", "are the same meridian"),
    ])
    func refusesBadAreasWithOneSentence(input: String, expected: String) {
        expectBoxRefusal(input, expected) { _ = try DiscoveryArea(parsing: $0) }
    }
}

@Suite struct AreaPieceTests {
    @Test func aBoxIsSplitIntoQuartersThatCoverIt() throws {
        let piece = AreaPiece(box: try BoundingBox(parsing: "13.4,52.5,13.5,52.59"))
        let children = try #require(piece.split())
        #expect(children.count == 4 && children.allSatisfy { $0.window == nil })
        #expect(abs(children.reduce(0) { $0 + $1.box.area } - piece.box.area) < 1e-12)
        #expect(children.map(\.box.west).min() == 13.4 && children.map(\.box.north).max() == 52.59)
    }

    @Test func aBoxAtTheSmallestSizeIsSplitByCaptureTimeDownToOneSecond() throws {
        let piece = AreaPiece(box: try BoundingBox(parsing: "13.4,52.5,13.40015,52.50015"))
        let halves = try #require(piece.split())
        #expect(halves.count == 2 && halves.allSatisfy { $0.box == piece.box })
        let first = try #require(halves[0].window), second = try #require(halves[1].window)
        #expect(first.start == AreaPiece.Window.all.start && second.end == AreaPiece.Window.all.end)
        #expect(first.end == second.start, "the windows share their middle second: nothing falls between them")

        let oneSecond = AreaPiece(box: piece.box, window: .init(start: 1_660_668_166, end: 1_660_668_167))
        #expect(oneSecond.split() == nil)
        let twoSeconds = AreaPiece(box: piece.box, window: .init(start: 1_660_668_166, end: 1_660_668_168))
        #expect(twoSeconds.split()?.count == 2)
    }

    @Test func aNarrowBoxIsCutOnlyAcrossItsLongSide() throws {
        let piece = AreaPiece(box: try BoundingBox(parsing: "13.4,52.5,13.40015,52.6"))
        let children = try #require(piece.split())
        #expect(children.count == 2 && children.allSatisfy { $0.box.west == 13.4 && $0.box.east == 13.40015 })
    }

    @Test func captureTimesAreWrittenAsISO8601InUTC() {
        #expect(AreaPiece.isoTime(seconds: 1_660_668_166) == "2022-08-16T16:42:46Z")
        #expect(AreaPiece.isoTime(seconds: AreaPiece.Window.all.start) == "1900-01-01T00:00:00Z")
        #expect(AreaPiece.isoTime(seconds: AreaPiece.Window.all.end) == "9999-12-31T23:59:59Z")
    }
}
