import Mapillary
import Testing

@Suite struct ImageRecordTests {
    static let full =
        #"{"id":"1933525276802129","captured_at":1507560881000,"compass_angle":12.5,"computed_compass_angle":0,"geometry":{"type":"Point","coordinates":[13.404954,52.520008]},"computed_geometry":{"type":"Point","coordinates":[13.405,52.52]},"altitude":0,"computed_altitude":35.2,"is_pano":true,"sequence":"f1ihYvTZNTEhCCnRjyMAuQ","camera_type":"equirectangular","make":"GoPro","model":"GoPro Max","exif_orientation":1,"height":2880,"width":5760,"creator":{"username":"alice","id":"102"},"thumb_2048_url":"https://cdn.example/a.jpg?oh=1&oe=2","thumb_256_url":"https://cdn.example/small.jpg"}"#

    @Test func readsEveryFieldTheToolkitUses() throws {
        let record = try ImageRecord(rawJSON: Array(Self.full.utf8), quality: .q2048)
        #expect(record.id == "1933525276802129")
        #expect(record.capturedAt == 1_507_560_881_000)
        #expect(record.captureDateUTC == "2017-10-09")
        #expect(record.sequence == "f1ihYvTZNTEhCCnRjyMAuQ")
        #expect(record.thumbURL == "https://cdn.example/a.jpg?oh=1&oe=2")
        #expect(record.make == "GoPro" && record.model == "GoPro Max")
        #expect(record.width == 5760 && record.height == 2880)
        #expect(record.isPano == true && record.isPanorama)
        #expect(record.cameraType == "equirectangular")
        #expect(record.geometry == GeoPoint(longitude: 13.404954, latitude: 52.520008))
        #expect(record.exifOrientation == 1)
        #expect(record.creatorUsername == "alice")
        #expect(record.rawJSON == Array(Self.full.utf8), "compact records are kept byte for byte")
    }

    @Test func theChosenQualityPicksTheThumbField() throws {
        let small = try ImageRecord(rawJSON: Array(Self.full.utf8), quality: .q256)
        #expect(small.thumbURL == "https://cdn.example/small.jpg")
        let original = try ImageRecord(rawJSON: Array(Self.full.utf8), quality: .original)
        #expect(original.thumbURL == nil)
    }

    @Test func zeroIsAValueNotAMissingOne() throws {
        let record = try ImageRecord(rawJSON: Array(Self.full.utf8), quality: .q2048)
        #expect(record.preferredAltitude == 0, "altitude 0 wins over computed_altitude")
        #expect(record.preferredHeading == 0, "computed_compass_angle 0 wins over compass_angle")
        #expect(record.preferredPosition == GeoPoint(longitude: 13.405, latitude: 52.52))
    }

    @Test func preferencesFallBackWhenTheFirstChoiceIsAbsent() throws {
        let json =
            #"{"id":"1","geometry":{"type":"Point","coordinates":[-70.5,-33.4]},"computed_altitude":4294967281,"compass_angle":359.99}"#
        let record = try ImageRecord(rawJSON: Array(json.utf8), quality: .q1024)
        #expect(record.preferredPosition == GeoPoint(longitude: -70.5, latitude: -33.4))
        #expect(record.preferredAltitude == 4_294_967_281, "raw value; Imaging unwraps")
        #expect(record.preferredHeading == 359.99)
        #expect(record.capturedAt == nil && record.captureDateUTC == nil)
        #expect(record.sequence == nil)
    }

    @Test(
        arguments: [
            (#"1507560881000.75"#, Int64(1_507_560_881_000)),
            (#""1507560881000""#, nil),
            (#"null"#, nil),
            (#"1e300"#, nil),
            (#"-99999999999999999"#, nil),
            (#"0"#, Int64(0)),
        ] as [(String, Int64?)])
    func captureTimeAcceptsNumbersOnly(value: String, expected: Int64?) throws {
        let record = try ImageRecord(rawJSON: Array(#"{"id":"5","captured_at":\#(value)}"#.utf8), quality: .q256)
        #expect(record.capturedAt == expected)
    }

    @Test func garbageFieldsBecomeNilInsteadOfFailing() throws {
        let json =
            #"{"id":"7","width":-4,"height":1.5,"exif_orientation":9,"geometry":{"coordinates":[500,10]},"is_pano":"yes","make":17,"thumb_256_url":"file:///etc/passwd"}"#
        let record = try ImageRecord(rawJSON: Array(json.utf8), quality: .q256)
        #expect(record.width == nil && record.height == nil && record.exifOrientation == nil)
        #expect(record.geometry == nil && record.isPano == nil && record.make == nil)
        #expect(record.thumbURL == nil, "only http(s) URLs may reach the transfer library")
    }

    @Test func prettyPrintedRecordsAreMinifiedOntoOneLine() throws {
        let pretty =
            "{\n  \"id\" : \"42\",\n  \"make\" : \"A  B\\n C\",\n  \"geometry\" : { \"type\" : \"Point\", \"coordinates\" : [ 1, 2 ] }\n}"
        let record = try ImageRecord(rawJSON: Array(pretty.utf8), quality: .q256)
        let line = String(decoding: record.rawJSON, as: UTF8.self)
        #expect(line == #"{"id":"42","make":"A  B\n C","geometry":{"type":"Point","coordinates":[1,2]}}"#)
        #expect(record.make == "A  B\n C")
    }

    @Test(arguments: [
        (#"{"id":"../../x"}"#, "id"),
        (#"{"id":"12/34"}"#, "id"),
        (#"{"id":"12\u000034"}"#, "id"),
        (#"{"id":"12\n34"}"#, "id"),
        (#"{"id":""}"#, "id"),
        (#"{"id":12345}"#, "id"),
        (#"{"sequence":"abc"}"#, "no id"),
        (#"{"id":"1","sequence":"../../x"}"#, "sequence"),
        (#"{"id":"1","sequence":"a\nb"}"#, "sequence"),
        (#"{"id":"1","sequence":"/"}"#, "sequence"),
        (#"{"id":"1","sequence":7}"#, "sequence"),
        (#"{"id":"\#(String(repeating: "9", count: 65))"}"#, "id"),
        (#"["not","an","object"]"#, "not a JSON object"),
    ])
    func unsafeRecordsAreRefusedWithAReason(json: String, mentions: String) {
        do {
            _ = try ImageRecord(rawJSON: Array(json.utf8), quality: .q256)
            Issue.record("accepted \(json)")
        } catch let error as MapillaryError {
            #expect(error.code == .recordRefused)
            #expect(error.description.contains(mentions), "\(error.description)")
            #expect(!error.description.unicodeScalars.contains { $0.value < 0x20 }, "control characters are escaped")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func rejectedRecordPreviewsAreSafeForALogLine() {
        let raw = Array(("{\"id\":\"1\u{0}\n\u{1B}\",\"x\":\"" + String(repeating: "y", count: 500) + "\"}").utf8)
        let rejected = RejectedRecord(reason: "r", rawJSON: raw)
        #expect(!rejected.preview.unicodeScalars.contains { $0.value < 0x20 })
        #expect(rejected.preview.count <= 125)
        #expect(rejected.preview.hasSuffix("…"))
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01"), (Int64(86_399_999), "1970-01-01"), (Int64(86_400_000), "1970-01-02"),
        (Int64(-1), "1969-12-31"), (Int64(951_782_400_000), "2000-02-29"), (Int64(1_709_251_199_999), "2024-02-29"),
    ])
    func utcDatesAreComputedWithoutTimeZones(milliseconds: Int64, date: String) throws {
        let record = try ImageRecord(
            rawJSON: Array(#"{"id":"1","captured_at":\#(milliseconds)}"#.utf8), quality: .q1024)
        #expect(record.captureDateUTC == date)
    }

    @Test func qualitiesNameTheirThumbFields() {
        #expect(
            Quality.allCases.map(\.thumbField) == [
                "thumb_256_url", "thumb_1024_url", "thumb_2048_url", "thumb_original_url",
            ])
        #expect(Quality(argument: "ORIGINAL") == .original)
        #expect(Quality(argument: "512") == nil)
    }
}
