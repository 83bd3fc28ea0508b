/// Deterministic synthetic "photos": sky gradient, textured ground, hard-edged blocks and sensor noise,
/// so encoders see the mix of smooth areas, edges and fine detail that street-level photos have.
enum PhotoLikeImage {
    static func rgb(width: Int, height: Int, seed: UInt32) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let horizon = height * 45 / 100
        let blocks = (0..<12).map { index -> (x0: Int, x1: Int, top: Int, shade: Double) in
            let h = hash(UInt32(index), 7, seed)
            let x0 = Int(h % UInt32(width))
            let w = width / 12 + Int(hash(UInt32(index), 11, seed) % UInt32(max(1, width / 6)))
            let top = horizon - Int(hash(UInt32(index), 13, seed) % UInt32(max(1, height / 3)))
            return (x0, min(width, x0 + w), top, Double(hash(UInt32(index), 17, seed) % 100) / 100)
        }
        pixels.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                for x in 0..<width {
                    let texture = noise(x, y, seed: seed)
                    var r: Double, g: Double, b: Double
                    if y < horizon {
                        let t = Double(y) / Double(max(1, horizon))
                        r = 110 + 90 * t + 20 * texture; g = 150 + 70 * t + 20 * texture;
                        b = 230 - 20 * t + 15 * texture
                    } else {
                        let t = Double(y - horizon) / Double(max(1, height - horizon))
                        r = 90 + 40 * t + 70 * texture; g = 95 + 30 * t + 60 * texture; b = 80 + 20 * t + 50 * texture
                    }
                    for block in blocks
                    where x >= block.x0 && x < block.x1 && y >= block.top && y < horizon + height / 10 {
                        let window = (x / 23 + y / 31) % 3 == 0 ? 0.55 : 1.0
                        r = (60 + 150 * block.shade) * window + 25 * texture
                        g = (55 + 130 * block.shade) * window + 25 * texture
                        b = (50 + 120 * block.shade) * window + 25 * texture
                        break
                    }
                    let grain = Double(Int(hash(UInt32(x), UInt32(y), seed &+ 99) % 13) - 6)
                    let at = (y * width + x) * 3
                    out[at] = clamp(r + grain); out[at + 1] = clamp(g + grain); out[at + 2] = clamp(b + grain)
                }
            }
        }
        return pixels
    }

    /// Value noise in −1…1 summed over four octaves (periods 256, 64, 16 and 4 pixels).
    private static func noise(_ x: Int, _ y: Int, seed: UInt32) -> Double {
        var total = 0.0, amplitude = 0.5
        for (octave, period) in [256, 64, 16, 4].enumerated() {
            let fx = Double(x) / Double(period), fy = Double(y) / Double(period)
            let ix = Int(fx), iy = Int(fy)
            let tx = fx - Double(ix), ty = fy - Double(iy)
            func lattice(_ a: Int, _ b: Int) -> Double {
                Double(hash(UInt32(a), UInt32(b), seed &+ UInt32(octave))) / Double(UInt32.max) * 2 - 1
            }
            let top = lattice(ix, iy) * (1 - tx) + lattice(ix + 1, iy) * tx
            let bottom = lattice(ix, iy + 1) * (1 - tx) + lattice(ix + 1, iy + 1) * tx
            total += amplitude * (top * (1 - ty) + bottom * ty)
            amplitude *= 0.55
        }
        return total
    }

    private static func hash(_ a: UInt32, _ b: UInt32, _ seed: UInt32) -> UInt32 {
        var h = a &* 0x9E37_79B1 ^ b &* 0x85EB_CA77 ^ seed &* 0xC2B2_AE3D
        h ^= h >> 15; h = h &* 0x2C1B_3C6D; h ^= h >> 12; h = h &* 0x297A_2D39; h ^= h >> 15
        return h
    }

    private static func clamp(_ value: Double) -> UInt8 { UInt8(max(0, min(255, value.rounded()))) }
}
