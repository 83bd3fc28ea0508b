import Mapillary
import Testing

@Suite struct BoundingBoxTests {
    @Test func parsesFourNumbersInWestSouthEastNorthOrder() throws {
        let box = try BoundingBox(parsing: " 13.40, 52.51 ,13.45,52.53 ")
        #expect(box.west == 13.40 && box.south == 52.51 && box.east == 13.45 && box.north == 52.53)
        #expect(box.queryValue == "13.4,52.51,13.45,52.53")
        #expect(box.contains(longitude: 13.42, latitude: 52.52))
        #expect(!box.contains(longitude: 13.46, latitude: 52.52))
    }

    @Test(arguments: [
        ("13.4,52.5,13.45", "is not four numbers"),
        ("13.4,52.5,13.45,52.53,1", "is not four numbers"),
        ("a,b,c,d", "is not four numbers"),
        ("nan,52.5,13.45,52.53", "is not four numbers"),
        ("0x10,52.5,13.45,52.53", "is not four numbers"),
        ("", "is not four numbers"),
        ("181,52.5,182,52.53", "is out of range"),
        ("13.4,-91,13.45,-90.5", "is out of range"),
        ("13.45,52.5,13.40,52.53", "west edge 13.45 is not less than its east edge 13.4"),
        ("13.4,52.5,13.4,52.53", "west edge"),
        ("13.4,52.53,13.45,52.5", "south edge 52.53 is not less than its north edge 52.5"),
        ("0,0,0.1,0.1", "covers 0.0100 square degrees but Mapillary accepts less than 0.01"),
        ("10,50,12,52", "covers 4.0000 square degrees"),
    ])
    func refusesBadBoxesWithOneSentence(input: String, expected: String) {
        expectBoxRefusal(input, expected) { _ = try BoundingBox(parsing: $0) }
    }

    @Test func acceptsABoxJustUnderTheAreaLimit() throws {
        let box = try BoundingBox(parsing: "0,0,0.0999,0.1")
        #expect(box.area < BoundingBox.maximumArea)
    }
}

/// `parse(input)` refuses `input` with one sentence (no line break) containing `expected`, as an invalid bounding box.
func expectBoxRefusal(
    _ input: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ parse: (String) throws -> Void
) {
    do {
        try parse(input)
        Issue.record("\(input) was accepted", sourceLocation: sourceLocation)
    } catch let error as MapillaryError {
        #expect(error.code == .invalidBoundingBox, sourceLocation: sourceLocation)
        #expect(error.description.contains(expected), "\(error.description)", sourceLocation: sourceLocation)
        #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}
