/// Converts JPEG's full-range YCbCr (0…255) to the limited range WebP/VP8 expects (Y 16…235, Cb/Cr 16…240).
///
/// Both use BT.601 coefficients, so re-ranging the decoded planes gives what libwebp would compute from RGB,
/// without JPEG's chroma upsampling and colour conversion or libwebp's RGB→YUV step.
enum YCbCrRange {
    static let luma: [UInt8] = (0..<256).map { UInt8((16 + Double($0) * 219 / 255).rounded()) }
    static let chroma: [UInt8] = (0..<256).map { UInt8((128 + (Double($0) - 128) * 224 / 255).rounded()) }

    /// Maps a `width`×`height` plane (rows `stride` bytes apart) through `table` in place.
    static func remap(_ plane: UnsafeMutablePointer<UInt8>, width: Int, height: Int, stride: Int, table: [UInt8]) {
        table.withUnsafeBufferPointer { lookup in
            let lut = lookup.baseAddress!
            for row in 0..<height {
                let line = plane + row * stride
                for column in 0..<width {
                    line[column] = lut[Int(line[column])]
                }
            }
        }
    }

    /// Averages a full-range chroma plane (`width`×`height`, tightly packed) down to `targetWidth`×`targetHeight`
    /// (half or equal size per axis, edges replicated) and re-ranges it, writing rows `stride` bytes apart.
    static func downsample(
        _ source: UnsafePointer<UInt8>, width: Int, height: Int,
        into target: UnsafeMutablePointer<UInt8>, width targetWidth: Int, height targetHeight: Int,
        stride: Int
    ) {
        let stepX = width > targetWidth ? 2 : 1, stepY = height > targetHeight ? 2 : 1
        let count = stepX * stepY
        chroma.withUnsafeBufferPointer { lookup in
            let lut = lookup.baseAddress!
            for row in 0..<targetHeight {
                let top = source + min(row * stepY, height - 1) * width
                let bottom = source + min(row * stepY + stepY - 1, height - 1) * width
                let line = target + row * stride
                for column in 0..<targetWidth {
                    let left = min(column * stepX, width - 1), right = min(column * stepX + stepX - 1, width - 1)
                    var sum = Int(top[left])
                    if stepX == 2 { sum += Int(top[right]) }
                    if stepY == 2 { sum += Int(bottom[left]) + (stepX == 2 ? Int(bottom[right]) : 0) }
                    line[column] = lut[(sum + count / 2) / count]
                }
            }
        }
    }
}
