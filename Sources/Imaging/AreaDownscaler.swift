/// Shrinks packed RGB pixels by area averaging (each output pixel is the mean of the source area it covers).
enum AreaDownscaler {
    /// Resizes `rgb` (`width`×`height`) to `targetWidth`×`targetHeight`, which must not be larger.
    static func resize(_ rgb: [UInt8], width: Int, height: Int, to targetWidth: Int, _ targetHeight: Int) -> [UInt8] {
        if width == targetWidth && height == targetHeight { return rgb }
        let columns = weights(from: width, to: targetWidth)
        let rows = weights(from: height, to: targetHeight)
        // Horizontal pass into floats, then vertical pass into bytes.
        var horizontal = [Float](repeating: 0, count: targetWidth * height * 3)
        rgb.withUnsafeBufferPointer { source in
            horizontal.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    let sourceRow = y * width * 3, targetRow = y * targetWidth * 3
                    for (x, span) in columns.enumerated() {
                        var r: Float = 0, g: Float = 0, b: Float = 0
                        for (offset, weight) in span.weights.enumerated() {
                            let at = sourceRow + (span.first + offset) * 3
                            r += Float(source[at]) * weight
                            g += Float(source[at + 1]) * weight
                            b += Float(source[at + 2]) * weight
                        }
                        target[targetRow + x * 3] = r
                        target[targetRow + x * 3 + 1] = g
                        target[targetRow + x * 3 + 2] = b
                    }
                }
            }
        }
        var output = [UInt8](repeating: 0, count: targetWidth * targetHeight * 3)
        horizontal.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                let rowLength = targetWidth * 3
                for (y, span) in rows.enumerated() {
                    for index in 0..<rowLength {
                        var sum: Float = 0
                        for (offset, weight) in span.weights.enumerated() {
                            sum += source[(span.first + offset) * rowLength + index] * weight
                        }
                        target[y * rowLength + index] = UInt8(min(255, max(0, sum.rounded())))
                    }
                }
            }
        }
        return output
    }

    /// For each output index, the first source index it covers and the normalised weight of each covered index.
    private static func weights(from source: Int, to target: Int) -> [(first: Int, weights: [Float])] {
        let scale = Double(source) / Double(target)
        return (0..<target).map { index in
            let start = Double(index) * scale, end = Double(index + 1) * scale
            let first = Int(start.rounded(.down)), last = min(source - 1, Int(end.rounded(.up)) - 1)
            var weights: [Float] = []
            for s in first...max(first, last) {
                let covered = min(end, Double(s + 1)) - max(start, Double(s))
                weights.append(Float(max(0, covered) / scale))
            }
            return (first, weights)
        }
    }
}
