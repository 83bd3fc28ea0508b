import CTurboJPEG

/// Photo-like JPEGs made in memory: a sky gradient with a sun, buildings with windows on the
/// horizon, a road and a noisy ground; deterministic per seed. Encoded with TurboJPEG (4:2:0).
public enum SyntheticJPEG {
    /// Paints and encodes one picture. Throws ``SandboxError`` when TurboJPEG fails.
    public static func make(width: Int, height: Int, seed: UInt64, quality: Int = 85) throws -> [UInt8] {
        guard width > 0, height > 0, width <= 16384, height <= 16384 else {
            throw SandboxError(
                .imageGeneration, "a synthetic image of \(width)×\(height) pixels cannot be made; use 1…16384 per side")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        pixels.withUnsafeMutableBufferPointer { buffer in
            paint(buffer, width: width, height: height, seed: seed)
        }
        return try encode(pixels, width: width, height: height, quality: quality)
    }

    /// Encodes tightly packed RGB pixels.
    static func encode(_ pixels: [UInt8], width: Int, height: Int, quality: Int) throws -> [UInt8] {
        guard let handle = tjInitCompress() else {
            throw SandboxError(
                .imageGeneration, "TurboJPEG could not start a compressor (tjInitCompress failed); check libturbojpeg")
        }
        defer { tjDestroy(handle) }
        let capacity = Int(tjBufSize(Int32(width), Int32(height), Int32(TJSAMP_420.rawValue)))
        guard capacity > 0 else {
            throw SandboxError(
                .imageGeneration, "TurboJPEG could not size a \(width)×\(height) image (tjBufSize failed)")
        }
        var output = [UInt8](repeating: 0, count: capacity)
        var size: UInt = UInt(capacity)
        let status = pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                var pointer: UnsafeMutablePointer<UInt8>? = destination.baseAddress
                return tjCompress2(
                    handle, source.baseAddress, Int32(width), 0, Int32(height), Int32(TJPF_RGB.rawValue),
                    &pointer, &size, Int32(TJSAMP_420.rawValue), Int32(min(max(quality, 1), 100)),
                    Int32(TJFLAG_NOREALLOC))
            }
        }
        guard status == 0 else {
            let reason = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown error"
            throw SandboxError(.imageGeneration, "TurboJPEG could not encode a \(width)×\(height) image (\(reason))")
        }
        output.removeSubrange(Int(size)...)
        return output
    }

    private struct Building {
        let x0: Int, x1: Int, top: Int
        let color: (Int, Int, Int)
        let windowColor: (Int, Int, Int)
    }

    private static func paint(_ px: UnsafeMutableBufferPointer<UInt8>, width: Int, height: Int, seed: UInt64) {
        var r = SandboxRandom(seed: seed)
        let horizon = Int(Double(height) * r.double(in: 0.42...0.62))
        let skyTop = (Int(r.double(in: 20...70)), Int(r.double(in: 70...130)), Int(r.double(in: 150...230)))
        let skyLow = (Int(r.double(in: 170...230)), Int(r.double(in: 190...235)), Int(r.double(in: 220...250)))
        let ground = (Int(r.double(in: 60...130)), Int(r.double(in: 80...140)), Int(r.double(in: 40...90)))
        let sunX = Int(r.double(in: 0.1...0.9) * Double(width))
        let sunY = Int(r.double(in: 0.08...0.3) * Double(height))
        let sunR = max(2, height / Int(r.double(in: 12...20)))
        var buildings: [Building] = []
        for _ in 0..<Int(r.double(in: 3...8)) {
            let x0 = Int(r.double(in: -0.1...0.95) * Double(width))
            let w = Int(r.double(in: 0.05...0.22) * Double(width))
            let gray = Int(r.double(in: 70...200))
            buildings.append(
                Building(
                    x0: max(0, x0), x1: min(width, x0 + w),
                    top: horizon - Int(r.double(in: 0.08...0.35) * Double(height)),
                    color: (
                        gray + Int(r.double(in: -20...20)), gray + Int(r.double(in: -20...20)),
                        gray + Int(r.double(in: -20...20))
                    ),
                    windowColor: (Int(r.double(in: 30...90)), Int(r.double(in: 40...100)), Int(r.double(in: 60...130))))
            )
        }
        let roadHalfBottom = Double(width) * r.double(in: 0.25...0.45)
        let vanishX = Double(width) * r.double(in: 0.35...0.65)
        var noise = r.next() | 1
        let cell = max(4, height / 48)

        for y in 0..<height {
            let row = y * width * 3
            if y < horizon {
                let t = horizon > 1 ? Double(y) / Double(horizon - 1) : 0
                let c = (
                    UInt8(clamping: skyTop.0 + Int(Double(skyLow.0 - skyTop.0) * t)),
                    UInt8(clamping: skyTop.1 + Int(Double(skyLow.1 - skyTop.1) * t)),
                    UInt8(clamping: skyTop.2 + Int(Double(skyLow.2 - skyTop.2) * t))
                )
                for x in 0..<width {
                    px[row + 3 * x] = c.0; px[row + 3 * x + 1] = c.1; px[row + 3 * x + 2] = c.2
                }
                let dy = y - sunY
                if abs(dy) < sunR {
                    let half = Int(Double(sunR * sunR - dy * dy).squareRoot())
                    for x in max(0, sunX - half)..<min(width, sunX + half + 1) {
                        px[row + 3 * x] = 255; px[row + 3 * x + 1] = 240; px[row + 3 * x + 2] = 180
                    }
                }
                for b in buildings where y >= b.top && b.x0 < b.x1 {
                    let windowRow = ((y - b.top) / cell) % 2 == 1
                    for x in b.x0..<b.x1 {
                        let window = windowRow && ((x - b.x0) / cell) % 2 == 1
                        let c = window ? b.windowColor : b.color
                        px[row + 3 * x] = UInt8(clamping: c.0)
                        px[row + 3 * x + 1] = UInt8(clamping: c.1)
                        px[row + 3 * x + 2] = UInt8(clamping: c.2)
                    }
                }
            } else {
                let depth = Double(y - horizon + 1) / Double(max(1, height - horizon))
                let roadHalf = roadHalfBottom * depth
                let roadCenter = vanishX + (Double(width) / 2 - vanishX) * depth
                let roadFrom = Int(roadCenter - roadHalf), roadTo = Int(roadCenter + roadHalf)
                let shade = 0.6 + 0.4 * depth
                for x in 0..<width {
                    noise ^= noise << 13; noise ^= noise >> 7; noise ^= noise << 17
                    let n = Int(noise & 63) - 32
                    let onRoad = x >= roadFrom && x < roadTo
                    let base = onRoad ? (95, 95, 100) : ground
                    px[row + 3 * x] = UInt8(clamping: Int(Double(base.0) * shade) + n)
                    px[row + 3 * x + 1] = UInt8(clamping: Int(Double(base.1) * shade) + n)
                    px[row + 3 * x + 2] = UInt8(clamping: Int(Double(base.2) * shade) + n / 2)
                }
            }
        }
    }
}
