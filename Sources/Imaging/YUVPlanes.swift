import CTurboJPEG
import CWebP

/// The layout of one buffer holding a YCbCr or greyscale JPEG decoded to planes, and the 4:2:0 planes VP8 reads.
///
/// TurboJPEG pads planes to whole chroma blocks (a 97×65 4:2:0 image has a 98×66 Y plane), so the buffer follows
/// `tjPlaneWidth`/`tjPlaneHeight` and the picture reads it through strides; only the visible area is encoded.
struct YUVPlanes {
    private let layout: JPEGHeader.PlaneLayout
    private let width: Int, height: Int
    private let lumaWidth: Int, lumaHeight: Int
    /// Decoded chroma plane size (equal to the 4:2:0 size for `.yuv420`, unused for `.gray`).
    private let chromaWidth: Int, chromaHeight: Int
    /// The 4:2:0 chroma size VP8 wants.
    private let targetWidth: Int, targetHeight: Int

    /// Bytes the buffer passed to ``decode(_:into:with:)`` must hold.
    let byteCount: Int

    init(_ header: JPEGHeader, _ layout: JPEGHeader.PlaneLayout) {
        self.layout = layout
        width = header.width
        height = header.height
        lumaWidth = Int(tjPlaneWidth(0, Int32(width), header.subsampling))
        lumaHeight = Int(tjPlaneHeight(0, Int32(height), header.subsampling))
        targetWidth = (width + 1) / 2
        targetHeight = (height + 1) / 2
        switch layout {
        case .gray, .yuv420:
            chromaWidth = targetWidth
            chromaHeight = targetHeight
        case .yuvToDownsample(let w, let h):
            chromaWidth = w
            chromaHeight = h
        }
        let target = 2 * targetWidth * targetHeight
        let decodedChroma = layout == .yuv420 || layout == .gray ? 0 : 2 * chromaWidth * chromaHeight
        byteCount = lumaWidth * lumaHeight + target + decodedChroma
    }

    private func y(_ buffer: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> { buffer }
    private func u(_ buffer: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        buffer + lumaWidth * lumaHeight
    }
    private func v(_ buffer: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        u(buffer) + targetWidth * targetHeight
    }
    /// Full-size decoded chroma planes, after the 4:2:0 ones.
    private func decodedChroma(
        _ buffer: UnsafeMutablePointer<UInt8>
    ) -> (UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt8>) {
        let cb = v(buffer) + targetWidth * targetHeight
        return (cb, cb + chromaWidth * chromaHeight)
    }

    /// Decodes `jpeg` into `buffer` (``byteCount`` bytes) and leaves limited-range 4:2:0 planes there.
    func decode(
        _ jpeg: [UInt8], _ header: JPEGHeader, into buffer: UnsafeMutablePointer<UInt8>,
        with decompressor: borrowing TurboJPEGDecompressor
    ) throws -> String? {
        let warning: String?
        switch layout {
        case .gray:
            warning = try decompressor.decodePlanes(
                jpeg, header, planes: [y(buffer), nil, nil],
                strides: [Int32(lumaWidth), 0, 0])
            u(buffer).update(repeating: 128, count: 2 * targetWidth * targetHeight)
        case .yuv420:
            warning = try decompressor.decodePlanes(
                jpeg, header, planes: [y(buffer), u(buffer), v(buffer)],
                strides: [Int32(lumaWidth), Int32(targetWidth), Int32(targetWidth)])
            YCbCrRange.remap(
                u(buffer), width: targetWidth, height: 2 * targetHeight, stride: targetWidth,
                table: YCbCrRange.chroma)
        case .yuvToDownsample:
            let (cb, cr) = decodedChroma(buffer)
            warning = try decompressor.decodePlanes(
                jpeg, header, planes: [y(buffer), cb, cr],
                strides: [Int32(lumaWidth), Int32(chromaWidth), Int32(chromaWidth)])
            for (source, target) in [(cb, u(buffer)), (cr, v(buffer))] {
                YCbCrRange.downsample(
                    source, width: chromaWidth, height: chromaHeight, into: target,
                    width: targetWidth, height: targetHeight, stride: targetWidth)
            }
        }
        YCbCrRange.remap(y(buffer), width: width, height: height, stride: lumaWidth, table: YCbCrRange.luma)
        return warning
    }

    /// Points `picture` at the planes in `buffer`, which must stay allocated until encoding is over.
    func attach(_ buffer: UnsafeMutablePointer<UInt8>, to picture: inout WebPPicture) {
        picture.y = y(buffer)
        picture.u = u(buffer)
        picture.v = v(buffer)
        picture.y_stride = Int32(lumaWidth)
        picture.uv_stride = Int32(targetWidth)
    }
}
