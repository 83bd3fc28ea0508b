/// Opaque, stateless `after` cursors: a position in a query's result list plus a MAC binding it to
/// that query, base64url-encoded. A restarted sandbox with the same seed accepts them.
struct GraphCursor: Sendable {
    let mac: SandboxMAC

    init(seed: UInt64) {
        mac = SandboxMAC(seed: seed, purpose: "cursor")
    }

    func encode(position: Int, scope: String) -> String {
        var bytes: [UInt8] = [0x01]
        let value = UInt32(clamping: position)
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
        bytes += mac.mac(scope + "#\(value)").prefix(12)
        return Base64URL.encode(bytes)
    }

    /// The position, or nil when the cursor is malformed or belongs to another query.
    func decode(_ cursor: String, scope: String) -> Int? {
        guard let bytes = Base64URL.decode(cursor), bytes.count == 17, bytes[0] == 0x01 else { return nil }
        let value = bytes[1...4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let expected = Array(mac.mac(scope + "#\(value)").prefix(12))
        guard SandboxMAC.equal(Array(bytes[5...]), expected) else { return nil }
        return Int(value)
    }
}
