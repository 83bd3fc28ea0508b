import CWebP

/// Decodes WebP images to RGB with libwebp, optionally scaled by its built-in area-averaging scaler.
enum WebPImageDecoder {
    /// Width and height from the WebP header; throws when libwebp cannot read it.
    static func size(_ webp: [UInt8]) throws -> (width: Int, height: Int) {
        var width: Int32 = 0, height: Int32 = 0
        let ok = webp.withUnsafeBufferPointer { WebPGetInfo($0.baseAddress, $0.count, &width, &height) }
        guard ok != 0, width > 0, height > 0 else { throw undecodable("its header cannot be read") }
        return (Int(width), Int(height))
    }

    /// Decodes `webp` to packed RGB at `width`×`height` (scaling when that differs from the image size).
    static func decodeRGB(_ webp: [UInt8], width: Int, height: Int) throws -> [UInt8] {
        var config = WebPDecoderConfig()
        guard cwebp_init_decoder_config(&config) != 0 else { throw undecodable("libwebp's version does not match") }
        let (fullWidth, fullHeight) = try size(webp)
        if width != fullWidth || height != fullHeight {
            config.options.use_scaling = 1
            config.options.scaled_width = Int32(width)
            config.options.scaled_height = Int32(height)
        }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        let status = rgb.withUnsafeMutableBufferPointer { target in
            config.output.colorspace = MODE_RGB
            config.output.is_external_memory = 1
            config.output.u.RGBA.rgba = target.baseAddress
            config.output.u.RGBA.stride = Int32(width * 3)
            config.output.u.RGBA.size = target.count
            return webp.withUnsafeBufferPointer { WebPDecode($0.baseAddress, $0.count, &config) }
        }
        WebPFreeDecBuffer(&config.output)
        guard status == VP8_STATUS_OK else { throw undecodable("libwebp status \(status.rawValue)") }
        return rgb
    }

    private static func undecodable(_ reason: String) -> ImagingError {
        ImagingError(.undecodableWebP, "the WebP image cannot be decoded (\(reason)); make it again from the JPEG")
    }
}
