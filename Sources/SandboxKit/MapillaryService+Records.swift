extension MapillaryService {
    /// Writes one image as the Graph API would: `id` plus the requested fields, absent ones omitted
    /// (never `null`), thumbnail URLs freshly signed.
    func appendRecord(_ image: SandboxImage, fields: [String], lifetime: Int64, to json: inout GraphJSON) {
        json.beginObject()
        json.key("id")
        json.string(image.id)
        for field in fields {
            switch field {
            case "captured_at":
                if let ms = image.capturedAt { json.key(field); json.integer(ms) }
            case "compass_angle":
                json.key(field); json.number(image.compassAngle)
            case "computed_compass_angle":
                if let angle = image.computedCompassAngle { json.key(field); json.number(angle) }
            case "geometry":
                json.key(field); appendPoint(longitude: image.longitude, latitude: image.latitude, to: &json)
            case "computed_geometry":
                if let p = image.computedPosition {
                    json.key(field); appendPoint(longitude: p.longitude, latitude: p.latitude, to: &json)
                }
            case "altitude":
                if let value = image.altitude { json.key(field); json.number(value) }
            case "computed_altitude":
                if let value = image.computedAltitude { json.key(field); json.number(value) }
            case "is_pano":
                json.key(field); json.bool(image.isPano)
            case "sequence":
                json.key(field); json.string(image.sequence)
            case "camera_type":
                json.key(field); json.string(image.cameraType)
            case "camera_parameters":
                if let parameters = image.cameraParameters { json.key(field); appendNumbers(parameters, to: &json) }
            case "computed_rotation":
                json.key(field); appendNumbers(image.computedRotation, to: &json)
            case "make":
                json.key(field); json.string(image.make)
            case "model":
                json.key(field); json.string(image.model)
            case "exif_orientation":
                json.key(field); json.integer(Int64(image.exifOrientation))
            case "height":
                json.key(field); json.integer(Int64(image.height))
            case "width":
                json.key(field); json.integer(Int64(image.width))
            case "creator":
                json.key(field)
                json.beginObject()
                json.key("username"); json.string(image.user)
                json.key("id"); json.string(image.creatorID)
                json.endObject()
            default:
                if let quality = SandboxQuality(thumbField: field), image.hostility != .missingRendition {
                    json.key(field)
                    json.string(thumbURL(for: image, quality: quality, lifetime: lifetime))
                }
            // Other known fields (mesh, detections, …) have no value in the sandbox: omitted.
            }
        }
        json.endObject()
    }

    private func appendPoint(longitude: Double, latitude: Double, to json: inout GraphJSON) {
        json.beginObject()
        json.key("type"); json.string("Point")
        json.key("coordinates"); appendNumbers([longitude, latitude], to: &json)
        json.endObject()
    }

    private func appendNumbers(_ values: [Double], to json: inout GraphJSON) {
        json.beginArray()
        for value in values { json.number(value) }
        json.endArray()
    }
}
