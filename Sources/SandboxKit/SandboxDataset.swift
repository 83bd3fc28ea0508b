import Foundation

/// Every user's images, generated once from the seed: deterministic from (seed, user, index).
///
/// Quirks the real API shows are placed by index pattern, so that even a user of 20 images has
/// most of them: wrapped altitudes, altitude 0, headings 0 and 359.99, records without
/// `computed_geometry` or `captured_at`, panorama sequences (`equirectangular` and `spherical`).
final class SandboxDataset: Sendable {
    let kinds: [String: SandboxConfiguration.UserKind]
    let images: [String: [SandboxImage]]
    /// User names in configuration order.
    let userNames: [String]
    private let locations: [String: Location]

    struct Location: Sendable {
        let user: String
        let index: Int
    }

    init(configuration: SandboxConfiguration) {
        var images: [String: [SandboxImage]] = [:]
        var kinds: [String: SandboxConfiguration.UserKind] = [:]
        var locations: [String: Location] = [:]
        var names: [String] = []
        var usedPrefixes: Set<Int64> = []
        for user in configuration.allUsers where kinds[user.name] == nil {
            var random = SandboxRandom(seed: configuration.seed, "id-prefix", user.name)
            var prefix = Int64(random.next() % 900_000)
            while usedPrefixes.contains(prefix) { prefix = (prefix + 1) % 900_000 }
            usedPrefixes.insert(prefix)
            let list = Self.generate(
                user: user, seed: configuration.seed, idPrefix: prefix,
                originalSize: configuration.originalSize)
            for image in list { locations[image.id] = Location(user: user.name, index: image.index) }
            images[user.name] = list
            kinds[user.name] = user.kind
            names.append(user.name)
        }
        self.images = images
        self.kinds = kinds
        self.locations = locations
        self.userNames = names
    }

    func image(id: String) -> SandboxImage? {
        guard let location = locations[id] else { return nil }
        return images[location.user]?[location.index]
    }

    private static let cameras: [(String, String)] = [
        ("Apple", "iPhone 12 Pro"), ("samsung", "SM-G991B"), ("GoPro", "HERO9 Black"),
        ("Xiaomi", "Redmi Note 9 Pro"), ("Garmin", "VIRB Ultra 30"), ("SONY", "ILCE-6000"),
    ]
    private static let panoramaCameras: [(String, String)] = [
        ("GoPro", "GoPro Max"), ("RICOH", "RICOH THETA Z1"), ("Insta360", "Insta360 ONE X2"),
    ]
    private static let utcOffsets = [-480, -300, -180, 0, 60, 120, 330, 540, 600]

    static func generate(
        user: SandboxConfiguration.User, seed: UInt64, idPrefix: Int64,
        originalSize: PixelSize
    ) -> [SandboxImage] {
        var u = SandboxRandom(seed: seed, "user", user.name)
        let quadrant = u.next() % 4
        let originLat = (quadrant & 1 == 0 ? 1.0 : -1.0) * u.double(in: 5...60)
        let originLon = (quadrant & 2 == 0 ? 1.0 : -1.0) * u.double(in: 5...170)
        let camera = cameras[Int(u.next() % UInt64(cameras.count))]
        let panoCamera = panoramaCameras[Int(u.next() % UInt64(panoramaCameras.count))]
        let utcOffset = utcOffsets[Int(u.next() % UInt64(utcOffsets.count))]
        let creatorID = String(100_000_000_000_000 + u.next() % 899_999_999_999_999)
        let idOffset = Int64(u.next() % 10_000_000_000)
        var time: Int64 = 1_451_606_400_000 + Int64(u.next() % (8 * 365 * 86_400_000))
        let baseAltitude = u.double(in: 5...900)

        var list: [SandboxImage] = []
        list.reserveCapacity(user.imageCount)
        var sequenceIndex = 0
        while list.count < user.imageCount {
            var s = SandboxRandom(seed: seed, "sequence", user.name, String(sequenceIndex))
            let key = s.base62(22)
            // Early sequences are short, so that even small users have several (and a panorama one).
            let length = 5 + Int(s.next() % UInt64(min(46, 3 + 6 * sequenceIndex)))
            // At least a day apart: every sequence has its own UTC date(s).
            time += Int64(s.double(in: 1.0...2.5) * 86_400_000)
            // In a region: anywhere inside it (positions are folded back in at its edges).
            let regionStart = user.region.map {
                (dx: s.double(in: 0...$0.width), dy: s.double(in: 0...($0.north - $0.south)))
            }
            let startLat = originLat + s.double(in: -0.02...0.02)
            let startLon = originLon + s.double(in: -0.02...0.02)
            let heading = s.double(in: 0...359.9)
            let step = s.double(in: 0.00008...0.00025)
            let isPanoSequence = sequenceIndex % 4 == 1
            let radians = heading * .pi / 180
            for k in 0..<min(length, user.imageCount - list.count) {
                let index = list.count
                var r = SandboxRandom(seed: seed, "image", user.name, String(index))
                let id = String(
                    1_000_000_000_000_000 + idPrefix * 10_000_000_000
                        + (Int64(index) * 7_919_031_117 + idOffset) % 10_000_000_000)
                var lat = startLat + Double(k) * step * cos(radians) + r.double(in: -0.000005...0.000005)
                var lon =
                    startLon + Double(k) * step * sin(radians) / cos(startLat * .pi / 180)
                    + r.double(in: -0.000005...0.000005)
                if let region = user.region, let regionStart {
                    (lon, lat) = region.fold(dx: regionStart.dx + lon - startLon, dy: regionStart.dy + lat - startLat)
                }
                let computed: (longitude: Double, latitude: Double)? =
                    index % 10 == 9
                    ? nil
                    : (round8(lon + r.double(in: -0.00004...0.00004)), round8(lat + r.double(in: -0.00004...0.00004)))
                var altitude: Double? = round3(baseAltitude + Double(k) * 0.3 + r.double(in: -1...1))
                var computedAltitude: Double? = altitude.map { round3($0 + r.double(in: -2...2)) }
                if index % 17 == 3 {
                    altitude = index % 2 == 0 ? 4_294_967_281 : 4_294_967_296 - Double(1 + r.next() % 60)
                }
                if index % 19 == 5 { altitude = 0; computedAltitude = round3(baseAltitude) }
                if index % 13 == 2 { altitude = nil }
                var compass = normalizedAngle(heading + r.double(in: -4...4))
                var computedCompass: Double? = index % 7 == 6 ? nil : normalizedAngle(compass + r.double(in: -2...2))
                if index % 23 == 7 { computedCompass = 0; compass = round8(r.double(in: 5...40)) }
                if index % 29 == 11 { computedCompass = 359.99 }
                let captured = time + Int64(k) * 2000 + Int64(r.next() % 400)
                let capturedAt: Int64? = index % 31 == 13 && user.region == nil ? nil : captured
                let make = isPanoSequence ? panoCamera.0 : camera.0
                var model = isPanoSequence ? panoCamera.1 : camera.1
                if index % 43 == 21 { model = "Ünïcode Cam 3000  " }
                let cameraType =
                    isPanoSequence
                    ? (index % 2 == 0 ? "equirectangular" : "spherical")
                    : (index % 47 == 30 ? "fisheye" : "perspective")
                let size =
                    isPanoSequence
                    ? PixelSize(width: originalSize.width, height: max(1, originalSize.width / 2))
                    : originalSize
                let orientation = index % 37 == 17 ? 6 : (index % 41 == 19 ? 3 : 1)
                let parameters: [Double]? =
                    isPanoSequence
                    ? nil
                    : [
                        round8(r.double(in: 0.5...0.9)), round8(r.double(in: -0.1...0.05)),
                        round8(r.double(in: -0.01...0.01)),
                    ]
                let rotation = [
                    round8(r.double(in: -3...3)), round8(r.double(in: -3...3)), round8(r.double(in: -3...3)),
                ]

                let position =
                    user.region?.rounded(longitude: lon, latitude: lat)
                    ?? (longitude: round8(lon), latitude: round8(lat))
                var finalID = id
                var finalSequence = key
                var hostility: SandboxImage.Hostility?
                if user.kind == .hostile, index % 5 == 2 {
                    let kind = SandboxImage.Hostility.allCases[(index / 5) % SandboxImage.Hostility.allCases.count]
                    hostility = kind
                    switch kind {
                    case .traversalSequence: finalSequence = "../../x"
                    case .slashInID: finalID = String(id.prefix(8)) + "/" + String(id.dropFirst(8))
                    case .nulInID: finalID = String(id.prefix(8)) + "\u{0}" + String(id.dropFirst(8))
                    case .newlineInSequence: finalSequence = String(key.prefix(11)) + "\n" + String(key.dropFirst(11))
                    case .missingRendition: break
                    }
                }
                list.append(
                    SandboxImage(
                        id: finalID, user: user.name, index: index, sequence: finalSequence, capturedAt: capturedAt,
                        longitude: position.longitude, latitude: position.latitude, computedPosition: computed,
                        altitude: altitude, computedAltitude: computedAltitude,
                        compassAngle: compass, computedCompassAngle: computedCompass,
                        isPano: isPanoSequence, cameraType: cameraType, make: make, model: model,
                        width: size.width, height: size.height, exifOrientation: orientation,
                        cameraParameters: parameters, computedRotation: rotation, creatorID: creatorID,
                        cameraUTCOffsetMinutes: utcOffset, hostility: hostility))
            }
            time += Int64(length) * 2000
            sequenceIndex += 1
        }
        return list
    }

    static func round8(_ x: Double) -> Double { (x * 1e8).rounded() / 1e8 }
    private static func round3(_ x: Double) -> Double { (x * 1e3).rounded() / 1e3 }

    private static func normalizedAngle(_ degrees: Double) -> Double {
        var a = degrees.truncatingRemainder(dividingBy: 360)
        if a < 0 { a += 360 }
        return round8(a) >= 360 ? 0 : round8(a)
    }
}
