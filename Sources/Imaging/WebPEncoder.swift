import CTurboJPEG
import CWebP

/// Re-encodes a JPEG as a lossy VP8 bitstream with cwebp's settings (default preset, method 4, given quality).
///
/// YCbCr JPEGs are decoded straight to planes without upsampling or colour conversion: 4:2:0 and greyscale into
/// the `WebPPicture` itself, 4:4:4, 4:2:2 and 4:4:0 with their chroma averaged down to 4:2:0; the planes are then
/// re-ranged for VP8. Other layouts (4:1:1, RGB, CMYK …) are decoded to RGB and imported the way cwebp does.
struct WebPEncoder {
    let quality: Float

    /// The VP8 bitstream (a simple-format WebP file) and any decoder warnings.
    func encode(
        _ jpeg: [UInt8], _ header: JPEGHeader,
        with decompressor: borrowing TurboJPEGDecompressor
    ) throws -> (bitstream: [UInt8], warnings: [String]) {
        var config = WebPConfig()
        guard cwebp_config_init(&config) != 0 else {
            throw Self.failure("libwebp's version does not match its headers")
        }
        config.quality = quality
        config.method = 4
        guard quality.isFinite, quality >= 0, quality <= 100, WebPValidateConfig(&config) != 0 else {
            throw ImagingError(.invalidArgument, "WebP quality \(quality) is invalid; use a value from 0 to 100")
        }
        guard header.width <= Int(WEBP_MAX_DIMENSION), header.height <= Int(WEBP_MAX_DIMENSION) else {
            throw ImagingError(
                .webpEncodingFailed,
                "the image is \(header.width)×\(header.height) pixels but WebP "
                    + "allows at most \(WEBP_MAX_DIMENSION) per side; keep this image as JPEG")
        }
        var picture = WebPPicture()
        guard cwebp_picture_init(&picture) != 0 else {
            throw Self.failure("libwebp's version does not match its headers")
        }
        defer { WebPPictureFree(&picture) }
        picture.width = Int32(header.width)
        picture.height = Int32(header.height)
        picture.use_argb = 0
        picture.colorspace = WEBP_YUV420

        var warnings: [String] = []
        // Owns the planes of the direct path; freed only after WebPEncode below.
        var planeBuffer: UnsafeMutablePointer<UInt8>?
        defer { planeBuffer?.deallocate() }
        if let layout = header.planeLayout {
            let planes = YUVPlanes(header, layout)
            let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: planes.byteCount)
            planeBuffer = buffer
            if let warning = try planes.decode(jpeg, header, into: buffer, with: decompressor) {
                warnings.append(warning)
            }
            planes.attach(buffer, to: &picture)
        } else {
            let (rgb, warning) = try decompressor.decodeRGB(jpeg, header, width: header.width, height: header.height)
            if let warning { warnings.append(warning) }
            let imported = rgb.withUnsafeBufferPointer {
                WebPPictureImportRGB(&picture, $0.baseAddress, Int32(header.width * 3))
            }
            guard imported != 0 else { throw Self.failure(Self.reason(picture.error_code)) }
        }

        var writer = WebPMemoryWriter()
        WebPMemoryWriterInit(&writer)
        defer { WebPMemoryWriterClear(&writer) }
        let encoded = withUnsafeMutablePointer(to: &writer) { writerPointer in
            picture.writer = WebPMemoryWrite
            picture.custom_ptr = UnsafeMutableRawPointer(writerPointer)
            return WebPEncode(&config, &picture)
        }
        guard encoded != 0, let memory = writer.mem, writer.size > 0 else {
            throw Self.failure(Self.reason(picture.error_code))
        }
        return (Array(UnsafeBufferPointer(start: memory, count: writer.size)), warnings)
    }

    private static func failure(_ reason: String) -> ImagingError {
        ImagingError(
            .webpEncodingFailed, "libwebp could not encode the image (\(reason)); keep it as JPEG or report it")
    }

    private static func reason(_ code: WebPEncodingError) -> String {
        switch code {
        case VP8_ENC_ERROR_OUT_OF_MEMORY, VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY: return "out of memory"
        case VP8_ENC_ERROR_NULL_PARAMETER: return "a parameter was missing"
        case VP8_ENC_ERROR_INVALID_CONFIGURATION: return "invalid configuration"
        case VP8_ENC_ERROR_BAD_DIMENSION: return "bad picture dimensions"
        case VP8_ENC_ERROR_PARTITION0_OVERFLOW: return "partition 0 overflowed (over 512 KiB)"
        case VP8_ENC_ERROR_PARTITION_OVERFLOW: return "a partition overflowed (over 16 MiB)"
        case VP8_ENC_ERROR_BAD_WRITE: return "writing the output failed"
        case VP8_ENC_ERROR_FILE_TOO_BIG: return "the output would exceed 4 GiB"
        case VP8_ENC_ERROR_USER_ABORT: return "the encoder was aborted"
        default: return "error code \(code.rawValue)"
        }
    }
}
