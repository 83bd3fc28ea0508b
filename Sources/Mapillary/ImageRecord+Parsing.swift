import Essentials

extension ImageRecord {
    /// Parses one record from its JSON bytes (one element of a page's `data` list).
    ///
    /// Throws ``MapillaryError`` (`recordRefused`) when the bytes are not a JSON object, or when the
    /// `id` (required) or the `sequence` (optional) is not a safe name: they become file paths.
    public init(rawJSON bytes: some Collection<UInt8>, quality: Quality) throws {
        let raw = Self.oneLine(Array(bytes))
        let value: JSONValue
        do {
            value = try JSONParser.parseDocument(raw)
        } catch {
            throw MapillaryError(.recordRefused, "the record is not valid JSON (\(error))")
        }
        guard value.isObject else {
            throw MapillaryError(.recordRefused, "the record is not a JSON object")
        }
        guard let idValue = value["id"] else {
            throw MapillaryError(.recordRefused, "the record has no id")
        }
        guard case .string(let id) = idValue else {
            throw MapillaryError(.recordRefused, "the record's id is not a string")
        }
        guard Self.isSafeName(id) else {
            throw MapillaryError(
                .recordRefused,
                "the record's id \"\(MapillaryError.sanitized(id, limit: 70))\" is not a safe name (1 to 64 letters, digits, _ or -)"
            )
        }
        var sequence: String?
        if let sequenceValue = value["sequence"], sequenceValue != .null {
            guard case .string(let key) = sequenceValue, Self.isSafeName(key) else {
                let shown =
                    sequenceValue.stringValue.map { "\"" + MapillaryError.sanitized($0, limit: 70) + "\"" }
                    ?? "(not a string)"
                throw MapillaryError(
                    .recordRefused,
                    "image \(id)'s sequence \(shown) is not a safe name (1 to 64 letters, digits, _ or -)")
            }
            sequence = key
        }

        self.id = id
        self.rawJSON = raw
        self.sequence = sequence
        if let ms = value["captured_at"]?.doubleValue, ms >= Double(Self.plausibleCaptureTimes.lowerBound),
            ms <= Double(Self.plausibleCaptureTimes.upperBound)
        {
            capturedAt = Int64(ms.rounded(.down))
        } else {
            capturedAt = nil
        }
        thumbURL = value[quality.thumbField]?.stringValue.flatMap(URLQuery.webURL)
        make = value["make"]?.stringValue
        model = value["model"]?.stringValue
        width = Self.dimension(value["width"])
        height = Self.dimension(value["height"])
        isPano = value["is_pano"]?.boolValue
        cameraType = value["camera_type"]?.stringValue
        geometry = Self.point(value["geometry"])
        computedGeometry = Self.point(value["computed_geometry"])
        altitude = value["altitude"]?.doubleValue
        computedAltitude = value["computed_altitude"]?.doubleValue
        compassAngle = value["compass_angle"]?.doubleValue
        computedCompassAngle = value["computed_compass_angle"]?.doubleValue
        if let orientation = value["exif_orientation"]?.int64Value, (1...8).contains(orientation),
            value["exif_orientation"]?.doubleValue == Double(orientation)
        {
            exifOrientation = Int(orientation)
        } else {
            exifOrientation = nil
        }
        creatorUsername = value["creator"]?["username"]?.stringValue
    }

    /// True for `^[A-Za-z0-9_-]{1,64}$`: what may become a file or folder name.
    public static func isSafeName(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard (1...64).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    /// The bytes unchanged when they hold no line break; otherwise with all whitespace outside
    /// strings removed, so the record fits on one JSONL line. (JSON strings cannot hold raw line breaks.)
    static func oneLine(_ bytes: [UInt8]) -> [UInt8] {
        var start = 0, end = bytes.count
        while start < end, isWhitespace(bytes[start]) { start += 1 }
        while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
        let trimmed = bytes[start..<end]
        guard trimmed.contains(0x0A) || trimmed.contains(0x0D) else { return Array(trimmed) }
        var out: [UInt8] = []
        out.reserveCapacity(trimmed.count)
        var inString = false, escaped = false
        for byte in trimmed {
            if inString {
                out.append(byte)
                if escaped {
                    escaped = false
                } else if byte == 0x5C {
                    escaped = true
                } else if byte == 0x22 {
                    inString = false
                }
            } else if !isWhitespace(byte) {
                out.append(byte)
                if byte == 0x22 { inString = true }
            }
        }
        return out
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func dimension(_ value: JSONValue?) -> Int? {
        guard let d = value?.doubleValue, d == d.rounded(), d >= 1, d <= 1_000_000 else { return nil }
        return Int(d)
    }

    private static func point(_ value: JSONValue?) -> GeoPoint? {
        guard let coordinates = value?["coordinates"]?.arrayValue, coordinates.count >= 2,
            let lon = coordinates[0].doubleValue, let lat = coordinates[1].doubleValue,
            (-180.0...180.0).contains(lon), (-90.0...90.0).contains(lat)
        else { return nil }
        return GeoPoint(longitude: lon, latitude: lat)
    }
}
