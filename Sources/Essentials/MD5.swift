import COpenSSL

/// A running MD5 checksum whose state can be saved and restored, so a file appended across
/// several runs (a tar resumed after a crash) keeps one checksum without re-reading its bytes.
public struct MD5: Sendable {
    private var context = MD5_CTX()

    public init() {
        _ = copenssl_md5_init(&context)
    }

    /// Restores a running checksum from bytes produced by ``savedState``.
    /// Returns nil when the bytes do not have the size of a saved state.
    public init?(savedState: [UInt8]) {
        guard savedState.count == MemoryLayout<MD5_CTX>.size else { return nil }
        withUnsafeMutableBytes(of: &context) { dest in
            savedState.withUnsafeBytes { dest.copyMemory(from: $0) }
        }
    }

    /// The running state as plain bytes (platform-specific layout; restore on the same machine).
    public var savedState: [UInt8] {
        withUnsafeBytes(of: context) { Array($0) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        _ = copenssl_md5_update(&context, base, bytes.count)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything so far, as 32 lowercase hex characters. The running state is unchanged.
    public func hexDigest() -> String {
        var copy = context
        var digest = [UInt8](repeating: 0, count: 16)
        _ = copenssl_md5_final(&digest, &copy)
        return Hex.encode(digest)
    }

    /// The 16-byte digest of everything so far. The running state is unchanged.
    public func digest() -> [UInt8] {
        var copy = context
        var digest = [UInt8](repeating: 0, count: 16)
        _ = copenssl_md5_final(&digest, &copy)
        return digest
    }

    /// The MD5 of a byte array, as lowercase hex.
    public static func hex(of bytes: [UInt8]) -> String {
        var md5 = MD5()
        md5.update(bytes)
        return md5.hexDigest()
    }
}

/// Lowercase hexadecimal encoding.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
