import Imaging
import Testing
import TestSupport

/// One position/altitude/heading input and what exiftool must read back.
struct GPSCase: Sendable, CustomTestStringConvertible {
    let name: String
    var latitude: Double?
    var longitude: Double?
    var altitude: Double?
    var heading: Double?
    var expectedAltitude: Double?
    var expectedHeading: Double?
    var expectedWarnings = 0

    var testDescription: String { name }
    var hasPosition: Bool {
        guard let latitude, let longitude else { return false }
        return abs(latitude) <= 90 && abs(longitude) <= 180
    }
}

@Suite struct GPSTagTests {
    static let cases: [GPSCase] = [
        GPSCase(
            name: "north-east, positive altitude, east heading", latitude: 52.520008, longitude: 13.404954,
            altitude: 34.5, heading: 90, expectedAltitude: 34.5, expectedHeading: 90),
        GPSCase(
            name: "south-west, negative altitude, 359.99° stays", latitude: -33.856784, longitude: -151.215297,
            altitude: -15, heading: 359.99, expectedAltitude: -15, expectedHeading: 359.99),
        GPSCase(
            name: "wrapped altitude 4294967281 is -15, 360° is 0", latitude: 0.000001, longitude: -0.000001,
            altitude: 4_294_967_281, heading: 360, expectedAltitude: -15, expectedHeading: 0),
        GPSCase(
            name: "altitude 0 and heading 0 are values", latitude: 45, longitude: 7,
            altitude: 0, heading: 0, expectedAltitude: 0, expectedHeading: 0),
        GPSCase(
            name: "heading -10 is 350, altitude beyond 100 km dropped", latitude: 89.9999999, longitude: 179.9999999,
            altitude: 100_001, heading: -10, expectedAltitude: nil, expectedHeading: 350, expectedWarnings: 1),
        GPSCase(
            name: "non-finite altitude and heading dropped", latitude: -89.5, longitude: -179.5,
            altitude: .nan, heading: .infinity, expectedWarnings: 2),
        GPSCase(name: "no GPS at all", expectedAltitude: nil),
        GPSCase(
            name: "latitude without longitude", latitude: 10, altitude: 5, expectedAltitude: 5, expectedWarnings: 1),
        GPSCase(
            name: "latitude out of range", latitude: 91, longitude: 10, heading: 720.5,
            expectedHeading: 0.5, expectedWarnings: 1),
    ]

    @Test(arguments: cases)
    func gpsTagsReadBackFromJPEGAndWebP(_ gps: GPSCase) throws {
        let directory = try TemporaryDirectory("imaging")
        defer { directory.remove() }
        let metadata = CaptureMetadata(
            latitude: gps.latitude, longitude: gps.longitude,
            altitude: gps.altitude, heading: gps.heading)
        for (format, tags, result) in try ExifMergeTests.readBoth(try TestImage.jpeg(), metadata, in: directory) {
            #expect(result.warnings.count == gps.expectedWarnings, "\(format): \(result.warnings)")
            if gps.hasPosition, let latitude = gps.latitude, let longitude = gps.longitude {
                // 1/10000 arc-second is 2.8e-8 degrees.
                let readLatitude = try #require(tags.double("Composite:GPSLatitude"), "\(format)")
                let readLongitude = try #require(tags.double("Composite:GPSLongitude"), "\(format)")
                #expect(abs(readLatitude - latitude) < 3e-8, "\(format) latitude \(readLatitude)")
                #expect(abs(readLongitude - longitude) < 3e-8, "\(format) longitude \(readLongitude)")
                #expect(tags.string("GPS:GPSLatitudeRef") == (latitude < 0 ? "S" : "N"), "\(format)")
                #expect(tags.string("GPS:GPSLongitudeRef") == (longitude < 0 ? "W" : "E"), "\(format)")
            } else {
                #expect(
                    tags.keys(named: "GPSLatitude").isEmpty && tags.keys(named: "GPSLongitude").isEmpty,
                    "\(format)")
            }
            if let altitude = gps.expectedAltitude {
                #expect(tags.double("GPS:GPSAltitude") == abs(altitude), "\(format)")
                #expect(tags.double("GPS:GPSAltitudeRef") == (altitude < 0 ? 1 : 0), "\(format)")
            } else {
                #expect(tags.keys(named: "GPSAltitude").isEmpty, "\(format)")
            }
            if let heading = gps.expectedHeading {
                #expect(tags.double("GPS:GPSImgDirection") == heading, "\(format)")
                #expect(tags.string("GPS:GPSImgDirectionRef") == "T", "\(format)")
            } else {
                #expect(tags.keys(named: "GPSImgDirection").isEmpty, "\(format)")
            }
            let anyGPS = gps.hasPosition || gps.expectedAltitude != nil || gps.expectedHeading != nil
            #expect((tags.string("GPS:GPSVersionID") == "2 3 0 0") == anyGPS, "\(format)")
        }
    }
}
