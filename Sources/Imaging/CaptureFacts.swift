import Essentials
/// The checked, normalised form of ``CaptureMetadata``: only values safe to write, plus why others were dropped.
struct CaptureFacts: Sendable, Equatable {
    var make: String?
    var model: String?
    var width: UInt32?
    var height: UInt32?
    /// The capture time in UTC, years 1…9999 only.
    var time: UTCCalendar.Fields?
    /// Latitude and longitude in ten-thousandths of an arc-second, signed (north and east positive).
    var latitudeUnits: Int64?
    var longitudeUnits: Int64?
    /// Altitude in millimetres, signed.
    var altitudeMillimetres: Int64?
    /// Heading in hundredths of a degree, 0..<36000.
    var headingHundredths: Int?
    var isPano: Bool
    var warnings: [String] = []

    /// Arc-second subdivisions used for GPS coordinates: 1/10000″ (about 3 mm).
    static let unitsPerArcSecond: Int64 = 10_000
    /// Longest Make/Model string written, in UTF-8 bytes.
    static let maxTextBytes = 255
    /// Altitudes beyond this many metres from sea level are treated as garbage.
    static let maxAltitudeMetres = 100_000.0

    init(_ m: CaptureMetadata) {
        isPano = m.isPano
        make = Self.text(m.make)
        model = Self.text(m.model)
        width = dimension(m.width, "width")
        height = dimension(m.height, "height")
        if let ms = m.capturedAtMillis, UTCCalendar.fourDigitYears.contains(ms) {
            time = UTCCalendar.fields(milliseconds: ms)
        }
        if time == nil, let ms = m.capturedAtMillis {
            warnings.append("capture time \(ms) ms is outside the years 0001–9999 and was not written")
        }
        if let lat = m.latitude, let lon = m.longitude {
            if lat.isFinite, lon.isFinite, abs(lat) <= 90, abs(lon) <= 180 {
                latitudeUnits = Self.arcUnits(lat)
                longitudeUnits = Self.arcUnits(lon)
            } else {
                warnings.append("position \(lat), \(lon) is not a valid latitude/longitude and was not written")
            }
        } else if m.latitude != nil || m.longitude != nil {
            warnings.append("only one of latitude and longitude was given, so no position was written")
        }
        if let alt = m.altitude {
            altitudeMillimetres = Self.altitude(alt)
            if altitudeMillimetres == nil {
                warnings.append("altitude \(alt) m is out of range and was not written")
            }
        }
        if let h = m.heading {
            headingHundredths = Self.heading(h)
            if headingHundredths == nil { warnings.append("heading \(h)° is not a number and was not written") }
        }
    }

    var hasGPS: Bool { latitudeUnits != nil || altitudeMillimetres != nil || headingHundredths != nil }

    /// Unwraps 32-bit-wrapped negatives (4294967281 → −15) and drops non-finite or beyond ±100 km values.
    static func altitude(_ raw: Double) -> Int64? {
        guard raw.isFinite else { return nil }
        var metres = raw
        if metres > 2_147_483_647, metres <= 4_294_967_295 { metres -= 4_294_967_296 }
        guard abs(metres) <= maxAltitudeMetres else { return nil }
        return Int64((metres * 1000).rounded())
    }

    /// Normalises to [0, 360) in hundredths of a degree: 360 → 0, −10 → 350, 359.99 stays 359.99.
    static func heading(_ degrees: Double) -> Int? {
        guard degrees.isFinite else { return nil }
        var d = degrees.truncatingRemainder(dividingBy: 360)
        if d < 0 { d += 360 }
        let hundredths = Int((d * 100).rounded()) % 36_000
        return hundredths
    }

    static func arcUnits(_ degrees: Double) -> Int64 {
        Int64((degrees * 3600 * Double(unitsPerArcSecond)).rounded())
    }

    static func text(_ s: String?) -> String? {
        guard let s else { return nil }
        var bytes = Array(s.utf8.filter { $0 != 0 })
        guard !bytes.isEmpty else { return nil }
        if bytes.count > maxTextBytes {
            bytes = Array(bytes[..<maxTextBytes])
            // Do not end inside a UTF-8 sequence: drop trailing continuation bytes and their lead byte.
            while let last = bytes.last, last & 0xC0 == 0x80 { bytes.removeLast() }
            if let last = bytes.last, last >= 0xC0 { bytes.removeLast() }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private mutating func dimension(_ value: Int?, _ name: String) -> UInt32? {
        guard let value else { return nil }
        guard value > 0, value <= Int(UInt32.max) else {
            warnings.append("image \(name) \(value) is not a positive pixel count and was not written")
            return nil
        }
        return UInt32(value)
    }
}
