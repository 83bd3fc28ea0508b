import CTurboJPEG

/// What a JPEG header says about the image, read without decoding it.
struct JPEGHeader: Sendable, Equatable {
    let width: Int
    let height: Int
    /// TurboJPEG's `TJSAMP_*` value (−1 when unknown).
    let subsampling: Int32
    /// TurboJPEG's `TJCS_*` value.
    let colorspace: Int32

    /// How the decoded planes map onto a 4:2:0 `WebPPicture`; nil when the image must go through RGB.
    enum PlaneLayout: Equatable {
        case gray
        /// Chroma already at half width and half height.
        case yuv420
        /// Chroma planes of the given size, at full width and/or height, to be averaged down to 4:2:0.
        case yuvToDownsample(chromaWidth: Int, chromaHeight: Int)
    }

    var planeLayout: PlaneLayout? {
        if isGray { return .gray }
        guard colorspace == Int32(TJCS_YCbCr.rawValue) else { return nil }
        switch subsampling {
        case Int32(TJSAMP_420.rawValue):
            return .yuv420
        case Int32(TJSAMP_444.rawValue), Int32(TJSAMP_422.rawValue), Int32(TJSAMP_440.rawValue):
            return .yuvToDownsample(
                chromaWidth: Int(tjPlaneWidth(1, Int32(width), subsampling)),
                chromaHeight: Int(tjPlaneHeight(1, Int32(height), subsampling)))
        default:
            return nil
        }
    }
    var isGray: Bool { colorspace == Int32(TJCS_GRAY.rawValue) }
    var isCMYK: Bool {
        colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
    }
}

/// One TurboJPEG decompressor handle, created and destroyed within a single call on a single thread
/// (TurboJPEG handles are not thread-safe, so this type is neither copyable nor Sendable).
struct TurboJPEGDecompressor: ~Copyable {
    private let handle: tjhandle
    /// Refuse progressive JPEGs with more than 500 scans, a known way to make a tiny file burn minutes of CPU.
    private static let flags = Int32(TJFLAG_LIMITSCANS)

    init() throws {
        guard let handle = tjInitDecompress() else {
            throw ImagingError(
                .outOfMemory, "libjpeg-turbo could not create a decompressor; free some memory and retry")
        }
        self.handle = handle
    }

    deinit { tjDestroy(handle) }

    /// Reads the header; throws `undecodableJPEG` when libjpeg-turbo cannot.
    func header(_ jpeg: [UInt8]) throws -> JPEGHeader {
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = -1, colorspace: Int32 = -1
        let status = jpeg.withUnsafeBufferPointer {
            tjDecompressHeader3(handle, $0.baseAddress, UInt($0.count), &width, &height, &subsampling, &colorspace)
        }
        if status != 0 {
            let (message, isWarning) = lastError()
            // After a warning (stray bytes between segments, say) TurboJPEG reports every later error as a
            // warning too, such as sampling factors it cannot decode: only a header with a subsampling is usable.
            guard isWarning, width > 0, height > 0, subsampling >= 0 else {
                throw ImagingError.jpegInput(.undecodableJPEG, "libjpeg-turbo: \(message)")
            }
        }
        guard width > 0, height > 0 else {
            throw ImagingError.jpegInput(.undecodableJPEG, "its header gives a size of \(width)×\(height)")
        }
        return JPEGHeader(width: Int(width), height: Int(height), subsampling: subsampling, colorspace: colorspace)
    }

    /// Decodes straight into Y, Cb, Cr planes (no upsampling or colour conversion); returns a decoder warning if any.
    /// `planes` and `strides` hold one entry per component of the JPEG's subsampling (1 for greyscale).
    func decodePlanes(
        _ jpeg: [UInt8], _ header: JPEGHeader, planes: [UnsafeMutablePointer<UInt8>?],
        strides: [Int32]
    ) throws -> String? {
        var planes = planes
        var strides = strides
        let status = jpeg.withUnsafeBufferPointer { source in
            planes.withUnsafeMutableBufferPointer { planePointers in
                strides.withUnsafeMutableBufferPointer { stridePointers in
                    tjDecompressToYUVPlanes(
                        handle, source.baseAddress, UInt(source.count),
                        planePointers.baseAddress, Int32(header.width),
                        stridePointers.baseAddress, Int32(header.height), Self.flags)
                }
            }
        }
        return try check(status)
    }

    /// Decodes to packed pixels of `pixelFormat` (`TJPF_*`) at `width`×`height`, which must be one of TurboJPEG's
    /// scaled sizes of the image (the full size included); returns the pixels and a decoder warning if any.
    func decodePixels(_ jpeg: [UInt8], width: Int, height: Int, pixelFormat: TJPF) throws -> ([UInt8], String?) {
        let channels = Int(cturbojpeg_pixel_size(Int32(pixelFormat.rawValue)))
        let (count, overflow) = (width * channels).multipliedReportingOverflow(by: height)
        guard channels > 0, !overflow else {
            throw ImagingError.jpegInput(.undecodableJPEG, "its size \(width)×\(height) is too large to decode")
        }
        var pixels = [UInt8](repeating: 0, count: count)
        let status = jpeg.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                tjDecompress2(
                    handle, source.baseAddress, UInt(source.count), target.baseAddress,
                    Int32(width), Int32(width * channels), Int32(height), Int32(pixelFormat.rawValue),
                    Self.flags)
            }
        }
        let warning = try check(status)
        return (pixels, warning)
    }

    /// Decodes to packed RGB at `width`×`height`, converting CMYK/YCCK images (which TurboJPEG cannot turn into RGB)
    /// the way libjpeg-turbo's own tools do, assuming Adobe's inverted CMYK.
    func decodeRGB(_ jpeg: [UInt8], _ header: JPEGHeader, width: Int, height: Int) throws -> ([UInt8], String?) {
        guard header.isCMYK else { return try decodePixels(jpeg, width: width, height: height, pixelFormat: TJPF_RGB) }
        let (cmyk, warning) = try decodePixels(jpeg, width: width, height: height, pixelFormat: TJPF_CMYK)
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        rgb.withUnsafeMutableBufferPointer { out in
            cmyk.withUnsafeBufferPointer { source in
                for pixel in 0..<(width * height) {
                    let k = UInt32(source[pixel * 4 + 3])
                    for channel in 0..<3 {
                        out[pixel * 3 + channel] = UInt8((UInt32(source[pixel * 4 + channel]) * k + 127) / 255)
                    }
                }
            }
        }
        return (rgb, warning)
    }

    /// The smallest TurboJPEG scaled size of `header`'s image that still covers `width`×`height`.
    static func scaledSize(of header: JPEGHeader, covering width: Int, _ height: Int) -> (width: Int, height: Int) {
        var count: Int32 = 0
        var best = (width: header.width, height: header.height)
        guard let factors = tjGetScalingFactors(&count) else { return best }
        for index in 0..<Int(count) {
            let factor = factors[index]
            guard factor.num > 0, factor.denom > 0 else { continue }
            let w = (header.width * Int(factor.num) + Int(factor.denom) - 1) / Int(factor.denom)
            let h = (header.height * Int(factor.num) + Int(factor.denom) - 1) / Int(factor.denom)
            if w >= width, h >= height, w * h < best.width * best.height { best = (w, h) }
        }
        return best
    }

    /// Maps a TurboJPEG status to a warning (decoded with problems) or a thrown error (nothing usable).
    private func check(_ status: Int32) throws -> String? {
        guard status != 0 else { return nil }
        let (message, isWarning) = lastError()
        guard isWarning else { throw ImagingError.jpegInput(.undecodableJPEG, "libjpeg-turbo: \(message)") }
        return "libjpeg-turbo reported a problem in the JPEG data but decoded it: \(message)"
    }

    private func lastError() -> (message: String, isWarning: Bool) {
        let message = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown error"
        return (message, tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue))
    }
}
