import Essentials

/// Reads item metadata from request headers as IAS3 does: `x-archive-meta[NN]-key` and `x-amz-meta-key`,
/// `--` in the name meaning `_`, `uri(…)` values percent-decoded as UTF-8, values of one key ordered by NN
/// (no number counts as 0; equal numbers keep header order).
enum IAMetaHeaders {
    /// Metadata in key order of first appearance; nil with a reason when a header name is malformed.
    static func parse(_ headers: [(name: String, value: String)]) -> Result<[(key: String, values: [String])], Refusal>
    {
        var collected: [(key: String, number: Int, order: Int, value: String)] = []
        for (order, header) in headers.enumerated() {
            let rest: Substring
            if header.name.hasPrefix("x-archive-meta") {
                rest = header.name.dropFirst("x-archive-meta".count)
            } else if header.name.hasPrefix("x-amz-meta-") {
                rest = header.name.dropFirst("x-amz-meta".count)
            } else {
                continue
            }
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            let afterNumber = rest.dropFirst(digits.count)
            guard afterNumber.hasPrefix("-") else {
                return .failure(Refusal(header: header.name, reason: "no '-' between the prefix and the key"))
            }
            let rawKey = String(afterNumber.dropFirst())
            let key = rawKey.replacing("--", with: "_")
            guard isValidKey(key) else {
                return .failure(Refusal(header: header.name, reason: "the key is empty or not a valid XML name"))
            }
            guard !header.value.isEmpty else { continue }
            collected.append((key, Int(digits) ?? 0, order, decode(header.value)))
        }
        var out: [(key: String, values: [String])] = []
        for entry in collected.sorted(by: { ($0.number, $0.order) < ($1.number, $1.order) }) {
            if let index = out.firstIndex(where: { $0.key == entry.key }) {
                out[index].values.append(entry.value)
            } else {
                out.append((entry.key, [entry.value]))
            }
        }
        let firstSeen = collected.reduce(into: [String]()) { keys, entry in
            if !keys.contains(entry.key) { keys.append(entry.key) }
        }
        return .success(firstSeen.compactMap { key in out.first { $0.key == key } })
    }

    struct Refusal: Error {
        let header: String
        let reason: String
    }

    /// `uri(%XX…)` decoded; anything else as sent.
    static func decode(_ value: String) -> String {
        guard value.hasPrefix("uri("), value.hasSuffix(")"), value.count >= 5 else { return value }
        return PercentEncoding.decode(value.dropFirst(4).dropLast(), plusIsSpace: false)
    }

    private static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic else { return false }
        return key.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0))
        }
    }
}
