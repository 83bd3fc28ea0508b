import CWebP

/// Wraps a VP8 bitstream in an extended (VP8X) WebP container with EXIF, XMP and ICC chunks, using libwebpmux.
enum WebPContainer {
    /// The finished file; just `bitstream` when there is no metadata.
    static func assemble(bitstream: [UInt8], exif: [UInt8]?, xmp: [UInt8]?, icc: [UInt8]?) throws -> [UInt8] {
        let chunks = [("EXIF", exif), ("XMP ", xmp), ("ICCP", icc)].compactMap { name, data in
            data.flatMap { $0.isEmpty ? nil : (name, $0) }
        }
        guard !chunks.isEmpty else { return bitstream }
        guard let mux = cwebp_mux_new() else {
            throw ImagingError(.outOfMemory, "libwebpmux could not allocate a container; free some memory and retry")
        }
        defer { WebPMuxDelete(mux) }
        try bitstream.withUnsafeBufferPointer { image in
            var data = WebPData(bytes: image.baseAddress, size: image.count)
            try check(WebPMuxSetImage(mux, &data, 1), "the image")
        }
        for (name, bytes) in chunks {
            try bytes.withUnsafeBufferPointer { payload in
                var data = WebPData(bytes: payload.baseAddress, size: payload.count)
                try check(WebPMuxSetChunk(mux, name, &data, 1), "the \(name.trimmingSpaces) chunk")
            }
        }
        var output = WebPData(bytes: nil, size: 0)
        try check(WebPMuxAssemble(mux, &output), "the container")
        defer { WebPFree(UnsafeMutableRawPointer(mutating: output.bytes)) }
        guard let start = output.bytes, output.size > 0 else {
            throw ImagingError(
                .webpMuxFailed, "libwebpmux produced an empty WebP file; keep the image as JPEG or report it")
        }
        return Array(UnsafeBufferPointer(start: start, count: output.size))
    }

    private static func check(_ status: WebPMuxError, _ what: String) throws {
        guard status != WEBP_MUX_OK else { return }
        let reason: String
        switch status {
        case WEBP_MUX_MEMORY_ERROR: reason = "out of memory"
        case WEBP_MUX_INVALID_ARGUMENT: reason = "invalid argument"
        case WEBP_MUX_BAD_DATA: reason = "bad data"
        case WEBP_MUX_NOT_ENOUGH_DATA: reason = "not enough data"
        default: reason = "error \(status.rawValue)"
        }
        throw ImagingError(
            .webpMuxFailed,
            "libwebpmux could not add \(what) to the WebP file (\(reason)); " + "keep the image as JPEG or report it")
    }
}

private extension String {
    var trimmingSpaces: String { String(self.filter { $0 != " " }) }
}
