import CTurboJPEG

/// Encodes pixels to baseline JPEG with libjpeg-turbo, e.g. to make thumbnails or generated test images.
public enum JPEGEncoder {
    /// How the JPEG stores chroma.
    public enum Subsampling: Sendable, Equatable {
        case s444, s422, s420, s440, s411

        var turboJPEG: Int32 {
            switch self {
            case .s444: return Int32(TJSAMP_444.rawValue)
            case .s422: return Int32(TJSAMP_422.rawValue)
            case .s420: return Int32(TJSAMP_420.rawValue)
            case .s440: return Int32(TJSAMP_440.rawValue)
            case .s411: return Int32(TJSAMP_411.rawValue)
            }
        }
    }

    /// Encodes packed 8-bit RGB (`width * height * 3` bytes, rows top to bottom) at `quality` 1…100.
    /// `segments` (complete marker segments, e.g. from ``ExifBuilder/app1Segment()``) go after the JFIF APP0.
    public static func encode(
        rgb: [UInt8], width: Int, height: Int, quality: Int = 90,
        subsampling: Subsampling = .s420, segments: [[UInt8]] = []
    ) throws -> [UInt8] {
        try encode(
            rgb, width: width, height: height, channels: 3, pixelFormat: Int32(TJPF_RGB.rawValue),
            quality: quality, subsampling: subsampling.turboJPEG, segments: segments)
    }

    /// Encodes 8-bit greyscale (`width * height` bytes) as a one-component JPEG.
    public static func encode(
        gray: [UInt8], width: Int, height: Int, quality: Int = 90,
        segments: [[UInt8]] = []
    ) throws -> [UInt8] {
        try encode(
            gray, width: width, height: height, channels: 1, pixelFormat: Int32(TJPF_GRAY.rawValue),
            quality: quality, subsampling: Int32(TJSAMP_GRAY.rawValue), segments: segments)
    }

    /// Encodes Adobe-style inverted CMYK (`width * height * 4` bytes; 255 means no ink, as libjpeg-turbo stores it)
    /// as a four-component CMYK JPEG.
    public static func encode(
        cmyk: [UInt8], width: Int, height: Int, quality: Int = 90,
        segments: [[UInt8]] = []
    ) throws -> [UInt8] {
        try encode(
            cmyk, width: width, height: height, channels: 4, pixelFormat: Int32(TJPF_CMYK.rawValue),
            quality: quality, subsampling: Int32(TJSAMP_444.rawValue), segments: segments)
    }

    private static func encode(
        _ pixels: [UInt8], width: Int, height: Int, channels: Int, pixelFormat: Int32,
        quality: Int, subsampling: Int32, segments: [[UInt8]]
    ) throws -> [UInt8] {
        guard width > 0, height > 0, width <= 65_535, height <= 65_535 else {
            throw ImagingError(.invalidArgument, "a JPEG must be 1 to 65535 pixels per side, not \(width)×\(height)")
        }
        guard pixels.count == width * height * channels else {
            throw ImagingError(
                .invalidArgument,
                "the pixel buffer has \(pixels.count) bytes but \(width)×\(height) "
                    + "needs \(width * height * channels); pass a buffer of the right size")
        }
        guard (1...100).contains(quality) else {
            throw ImagingError(.invalidArgument, "JPEG quality \(quality) is invalid; use a value from 1 to 100")
        }
        guard let handle = tjInitCompress() else {
            throw ImagingError(.outOfMemory, "libjpeg-turbo could not create a compressor; free some memory and retry")
        }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let status = pixels.withUnsafeBufferPointer {
            tjCompress2(
                handle, $0.baseAddress, Int32(width), Int32(width * channels), Int32(height), pixelFormat,
                &output, &size, subsampling, Int32(quality), 0)
        }
        defer { if let output { tjFree(output) } }
        guard status == 0, let output, size > 0 else {
            let message = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown error"
            throw ImagingError(.jpegEncodingFailed, "libjpeg-turbo could not encode the image (\(message)); report it")
        }
        let jpeg = Array(UnsafeBufferPointer(start: output, count: Int(size)))
        guard !segments.isEmpty else { return jpeg }
        let structure = try JPEGStructure.parse(jpeg)
        return structure.assemble(jpeg, inserting: segments) { _ in false }
    }
}
