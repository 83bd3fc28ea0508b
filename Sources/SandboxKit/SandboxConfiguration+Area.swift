import Foundation

extension SandboxConfiguration {
    /// A box on the globe in degrees; west greater than east crosses the antimeridian.
    public struct Region: Sendable, Equatable {
        public var west: Double
        public var south: Double
        public var east: Double
        public var north: Double

        public init(west: Double, south: Double, east: Double, north: Double) {
            self.west = west
            self.south = south
            self.east = east
            self.north = north
        }

        /// Degrees of longitude covered (across the antimeridian when west > east).
        var width: Double { east > west ? east - west : east + 360 - west }

        /// True when the point lies inside or on the edge.
        public func contains(longitude: Double, latitude: Double) -> Bool {
            guard latitude >= south && latitude <= north else { return false }
            return west <= east ? longitude >= west && longitude <= east : longitude >= west || longitude <= east
        }

        /// The point `(west + dx, south + dy)` brought inside by reflecting at the edges, longitude in −180…180.
        func fold(dx: Double, dy: Double) -> (longitude: Double, latitude: Double) {
            func reflect(_ value: Double, _ span: Double) -> Double {
                guard span > 0 else { return 0 }
                let period = 2 * span
                var v = value.truncatingRemainder(dividingBy: period)
                if v < 0 { v += period }
                return v <= span ? v : period - v
            }
            var longitude = west + reflect(dx, width)
            if longitude > 180 { longitude -= 360 }
            return (longitude, south + reflect(dy, north - south))
        }

        /// The point to 8 decimals, as records give positions; unrounded when rounding would take it outside.
        func rounded(longitude: Double, latitude: Double) -> (longitude: Double, latitude: Double) {
            let shown = (SandboxDataset.round8(longitude), SandboxDataset.round8(latitude))
            return contains(longitude: shown.0, latitude: shown.1) ? shown : (longitude, latitude)
        }
    }

    /// An area populated by several contributors: `W,S,E,N:CREATORS:IMAGES` on the command line.
    public struct Area: Sendable, Equatable {
        public var region: Region
        public var creators: Int
        public var images: Int

        public init(region: Region, creators: Int, images: Int) {
            self.region = region
            self.creators = creators
            self.images = images
        }

        /// Parses `W,S,E,N:CREATORS:IMAGES`, e.g. `13.2,52.4,13.7,52.9:30:3000`.
        public init(parsing text: String) throws {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            let edges =
                parts.first.map { $0.split(separator: ",", omittingEmptySubsequences: false).compactMap { Double($0) } }
                ?? []
            guard parts.count == 3, edges.count == 4, edges.allSatisfy(\.isFinite),
                let creators = Int(parts[1]), let images = Int(parts[2])
            else {
                throw SandboxError(
                    .invalidConfiguration,
                    "the sandbox area \"\(text)\" is not W,S,E,N:CREATORS:IMAGES; write it like 13.2,52.4,13.7,52.9:30:3000"
                )
            }
            guard (-180...180).contains(edges[0]), (-180...180).contains(edges[2]), edges[0] != edges[2],
                (-90...90).contains(edges[1]), (-90...90).contains(edges[3]), edges[1] < edges[3]
            else {
                throw SandboxError(
                    .invalidConfiguration,
                    "the sandbox area \(parts[0]) is not a box on the globe; give W,S,E,N with S < N (W > E crosses the antimeridian)"
                )
            }
            guard creators >= 1, images >= creators else {
                throw SandboxError(
                    .invalidConfiguration,
                    "the sandbox area \(parts[0]) needs at least one creator and at least one image per creator, not \(creators) and \(images)"
                )
            }
            self.init(
                region: Region(west: edges[0], south: edges[1], east: edges[2], north: edges[3]),
                creators: creators, images: images)
        }
    }

    /// `users` followed by every area's contributors: `mapper01`, `mapper02`, … (numbers go on across areas
    /// and skip names already taken), each area's images shared out unevenly (the largest contributor has
    /// about a fifth of a 30-creator area), in an order drawn from the seed.
    var allUsers: [User] {
        var all = users
        var taken = Set(users.map(\.name))
        var number = 0
        for (areaIndex, area) in areas.enumerated() {
            let weights = (0..<area.creators).map { 1 / pow(Double($0 + 1), 0.9) }
            let total = weights.reduce(0, +)
            var counts = weights.map { max(1, Int(Double(area.images) * $0 / total)) }
            var rest = area.images - counts.reduce(0, +)
            var index = 0
            while rest != 0 {
                let position = index % counts.count
                if rest > 0 {
                    counts[position] += 1; rest -= 1
                } else if counts[position] > 1 {
                    counts[position] -= 1; rest += 1
                }
                index += 1
            }
            var random = SandboxRandom(seed: seed, "area", String(areaIndex))
            for i in stride(from: counts.count - 1, to: 0, by: -1) {
                counts.swapAt(i, Int(random.next() % UInt64(i + 1)))
            }
            for count in counts {
                var name: String
                repeat {
                    number += 1
                    name = "mapper" + (number < 10 ? "0" : "") + String(number)
                } while taken.contains(name)
                taken.insert(name)
                all.append(User(name: name, imageCount: count, region: area.region))
            }
        }
        return all
    }
}
