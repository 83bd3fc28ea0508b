/// Recognises image formats from their first bytes, without decoding.
public enum ImageSniffer {
    /// True when `bytes` start with a JPEG SOI marker followed by another marker (`FF D8 FF`).
    public static func isJPEG(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF
    }

    /// True when `bytes` start with a RIFF header whose form type is `WEBP`.
    public static func isWebP(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 12 else { return false }
        return bytes[0] == 0x52 && bytes[1] == 0x49 && bytes[2] == 0x46 && bytes[3] == 0x46  // "RIFF"
            && bytes[8] == 0x57 && bytes[9] == 0x45 && bytes[10] == 0x42 && bytes[11] == 0x50  // "WEBP"
    }
}
