#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hides secrets (the Mapillary token, the IA secret key) in text, in every form a service may echo them in: as
/// given, percent-encoded (`MLY%7C…`, in upper- or lower-case hex), percent-decoded, and a token's secret part
/// alone (what follows its last `|`). Matching ignores ASCII case, so `%7c` and `%7C` are the same, and a
/// secret that comes back upper-cased is hidden too.
///
/// The one masking mechanism of the toolkit: error sentences, console and log lines, state entries and the
/// upload's check of published files all use it. Never prints the secrets it holds.
public struct SecretMask: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    /// Forms shorter than this are not hidden (they would hide ordinary words); no real secret is that short.
    public static let minimumLength = 4

    /// Every form to hide, ASCII lower-cased, longest first.
    private let forms: [[UInt8]]
    /// What a hidden form is replaced with.
    public let marker: String

    /// A mask for `secrets` (empty ones are ignored).
    public init(_ secrets: [String] = [], marker: String = "‹secret›") {
        var forms: Set<[UInt8]> = []
        for secret in secrets {
            for form in Self.forms(of: secret) where form.utf8.count >= Self.minimumLength {
                forms.insert(Self.lowered(Array(form.utf8)))
            }
        }
        self.forms = forms.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
        self.marker = marker
    }

    private init(forms: [[UInt8]], marker: String) {
        self.forms = forms
        self.marker = marker
    }

    /// True when there is nothing to hide.
    public var isEmpty: Bool { forms.isEmpty }

    /// This mask and `other`'s secrets, with this mask's marker.
    public func merging(_ other: SecretMask) -> SecretMask {
        let all = Set(forms).union(other.forms)
        return SecretMask(forms: all.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) },
                          marker: marker)
    }

    /// `text` with every form of every secret replaced by ``marker``.
    public func masking(_ text: String) -> String {
        guard !forms.isEmpty else { return text }
        var bytes = Array(text.utf8)
        guard bytes.count >= Self.minimumLength else { return text }
        var changed = false
        let marker = Array(self.marker.utf8)
        for form in forms {
            let lowered = Self.lowered(bytes)
            var start = 0
            var out: [UInt8] = []
            while let hit = Self.find(form, in: lowered, from: start) {
                out += bytes[start..<hit]
                out += marker
                start = hit + form.count
            }
            guard start > 0 else { continue }
            out += bytes[start...]
            bytes = out
            changed = true
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : text
    }

    /// True when `text` holds any form of any secret.
    public func reveals(_ text: String) -> Bool {
        firstIndex(in: Array(text.utf8)) != nil
    }

    /// The offset of the first byte of the first form found in `bytes`, or nil.
    public func firstIndex(in bytes: [UInt8]) -> Int? {
        guard !forms.isEmpty else { return nil }
        let lowered = Self.lowered(bytes)
        return forms.compactMap { Self.find($0, in: lowered, from: 0) }.min()
    }

    /// The length of the longest form: a stream searched in chunks must let consecutive chunks overlap by one
    /// byte less than this.
    public var longestForm: Int { forms.first?.count ?? 0 }

    public var description: String { "SecretMask(\(forms.count) forms hidden)" }
    public var customMirror: Mirror { Mirror(self, children: ["forms": forms.count]) }

    /// The forms of one secret: as given, percent-encoded, percent-decoded, and the part after the last `|`
    /// (or `%7C`) of each.
    static func forms(of secret: String) -> Set<String> {
        let whole: Set<String> = [secret, PercentEncoding.encode(secret), PercentEncoding.decode(secret[...])]
        var out = whole
        for form in whole {
            let bytes = Array(form.utf8)
            let lowered = Self.lowered(bytes)
            var cut: Int?
            for index in bytes.indices.reversed() {
                if bytes[index] == UInt8(ascii: "|") { cut = index + 1; break }
                if index + 2 < bytes.count, lowered[index...(index + 2)].elementsEqual("%7c".utf8) { cut = index + 3; break }
            }
            if let cut { out.insert(String(decoding: bytes[cut...], as: UTF8.self)) }
        }
        return out
    }

    private static func lowered(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
    }

    /// The first index of `needle` in `haystack` at or after `start`.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count - start >= needle.count else { return nil }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                var index = start
                let last = hay.count - pin.count
                while index <= last {
                    if hay[index] == first && memcmp(hay.baseAddress! + index, pin.baseAddress!, pin.count) == 0 { return index }
                    index += 1
                }
                return nil
            }
        }
    }
}
