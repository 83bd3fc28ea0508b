/// A small deterministic random generator (SplitMix64): the same seed gives the same sandbox data
/// on every machine and every run.
public struct SandboxRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// A generator for one named thing, e.g. `("user", "alice", 17)`, derived from the sandbox seed.
    public init(seed: UInt64, _ parts: String...) {
        self.init(seed: SandboxRandom.hash(seed, parts))
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in 0..<1.
    public mutating func unit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A uniform value in `range`.
    public mutating func double(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * unit()
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool {
        unit() < p
    }

    /// FNV-1a over the seed and the parts (separated), as a stable 64-bit name hash.
    public static func hash(_ seed: UInt64, _ parts: [String]) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ byte: UInt8) {
            h ^= UInt64(byte)
            h &*= 0x0000_0100_0000_01B3
        }
        for i in 0..<8 { mix(UInt8(truncatingIfNeeded: seed >> (8 * UInt64(i)))) }
        for part in parts {
            mix(0x1F)
            for byte in part.utf8 { mix(byte) }
        }
        // One SplitMix round spreads FNV's weak low bits.
        var g = SandboxRandom(seed: h)
        return g.next()
    }

    private static let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// `count` random base62 characters.
    public mutating func base62(_ count: Int) -> String {
        String((0..<count).map { _ in Self.base62[Int(next() % 62)] })
    }
}
