/// A failure to read, convert or write an image, with a code to branch on and one sentence for the user.
public struct ImagingError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong; callers branch on this, people read ``description``.
    public enum Code: String, Sendable, Equatable {
        /// The input has no bytes at all.
        case emptyInput
        /// The input does not start like a JPEG (no SOI marker).
        case notJPEG
        /// The input starts like a JPEG but its marker segments are broken.
        case malformedJPEG
        /// The JPEG's compressed data ends before its end-of-image marker.
        case truncatedJPEG
        /// libjpeg-turbo could not read or decode the JPEG.
        case undecodableJPEG
        /// The input is neither a JPEG nor a WebP image.
        case unsupportedImage
        /// libwebp could not decode the WebP image.
        case undecodableWebP
        /// libwebp failed to encode the picture.
        case webpEncodingFailed
        /// libwebpmux failed to add metadata chunks to the WebP container.
        case webpMuxFailed
        /// libjpeg-turbo failed to encode pixels to JPEG.
        case jpegEncodingFailed
        /// A caller passed an argument the function cannot work with (sizes, buffer lengths, quality).
        case invalidArgument
        /// An EXIF block built from the given tags does not fit a JPEG APP1 segment.
        case exifTooLarge
        /// A C library could not allocate memory.
        case outOfMemory
    }

    public let code: Code
    public let description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}

extension ImagingError {
    static func jpegInput(_ code: Code, _ reason: String) -> ImagingError {
        ImagingError(
            code, "the downloaded image is not a usable JPEG (\(reason)); download it again or skip this image")
    }
}
