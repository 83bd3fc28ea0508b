import Essentials

/// HMAC-MD5 (RFC 2104) under a secret derived from the seed: enough to make cursors and CDN URL
/// signatures unforgeable by accident, and stable across sandbox restarts with the same seed.
struct SandboxMAC: Sendable {
    private let innerPad: [UInt8]
    private let outerPad: [UInt8]

    /// A key for one purpose (`"cursor"`, `"cdn"`) derived from the seed.
    init(seed: UInt64, purpose: String) {
        var random = SandboxRandom(seed: seed, "mac", purpose)
        var key = [UInt8](repeating: 0, count: 64)
        for i in stride(from: 0, to: 32, by: 8) {
            let word = random.next()
            for j in 0..<8 { key[i + j] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(j))) }
        }
        innerPad = key.map { $0 ^ 0x36 }
        outerPad = key.map { $0 ^ 0x5C }
    }

    /// The 16-byte MAC of `message`.
    func mac(_ message: String) -> [UInt8] {
        var inner = MD5()
        inner.update(innerPad)
        inner.update(Array(message.utf8))
        var outer = MD5()
        outer.update(outerPad)
        outer.update(inner.digest())
        return outer.digest()
    }

    /// Constant-time comparison of two byte strings.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
