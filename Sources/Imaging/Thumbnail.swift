/// Makes the item thumbnail: a small JPEG that fits a square, aspect ratio kept.
public enum Thumbnail {
    /// A JPEG of `image` (JPEG or WebP) shrunk to fit `side`×`side` (never enlarged), e.g. 4000×3000 → 256×192.
    ///
    /// JPEGs are decoded at the smallest libjpeg-turbo scale that still covers the target, then area-averaged to
    /// the exact size; WebPs are decoded with libwebp's scaler. EXIF orientation is not applied (Mapillary images
    /// are already upright).
    public static func jpeg(from image: [UInt8], fitting side: Int = 256, quality: Int = 85) throws -> [UInt8] {
        guard side > 0 else {
            throw ImagingError(.invalidArgument, "thumbnail side \(side) is invalid; use a positive size")
        }
        if ImageSniffer.isWebP(image) {
            let (width, height) = try WebPImageDecoder.size(image)
            let target = fittedSize(width: width, height: height, side: side)
            let rgb = try WebPImageDecoder.decodeRGB(image, width: target.width, height: target.height)
            return try JPEGEncoder.encode(rgb: rgb, width: target.width, height: target.height, quality: quality)
        }
        guard ImageSniffer.isJPEG(image) else {
            if image.isEmpty {
                throw ImagingError(.emptyInput, "the thumbnail source image is empty; pick another image")
            }
            throw ImagingError(.unsupportedImage, "the thumbnail source is neither JPEG nor WebP; pick another image")
        }
        let decompressor = try TurboJPEGDecompressor()
        let header = try decompressor.header(image)
        let target = fittedSize(width: header.width, height: header.height, side: side)
        let scaled = TurboJPEGDecompressor.scaledSize(of: header, covering: target.width, target.height)
        let (rgb, _) = try decompressor.decodeRGB(image, header, width: scaled.width, height: scaled.height)
        let small = AreaDownscaler.resize(
            rgb, width: scaled.width, height: scaled.height,
            to: target.width, target.height)
        return try JPEGEncoder.encode(rgb: small, width: target.width, height: target.height, quality: quality)
    }

    /// The largest size with the same aspect ratio that fits `side`×`side`, no larger than the image itself.
    static func fittedSize(width: Int, height: Int, side: Int) -> (width: Int, height: Int) {
        let longest = max(width, height)
        guard longest > side else { return (width, height) }
        let scaledWidth = max(1, (width * side + longest / 2) / longest)
        let scaledHeight = max(1, (height * side + longest / 2) / longest)
        return (min(side, scaledWidth), min(side, scaledHeight))
    }
}
