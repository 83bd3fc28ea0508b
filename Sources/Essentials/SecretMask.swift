// Within Essentials each file imports the C library itself (Platform.swift re-exports it to other modules only).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hides secrets (the Mapillary token, the IA secret key) in text, in every form a service may echo them in: as
/// given, percent-encoded (`MLY%7C…`, in upper- or lower-case hex), percent-decoded, and a token's secret part
/// alone (what follows its last `|`, when it is long enough to be one). Matching ignores ASCII case, so `%7c` and `%7C` are the same, and a
/// secret that comes back upper-cased is hidden too.
///
/// The one masking mechanism of the toolkit: error sentences, console and log lines, state entries and the
/// upload's check of published files all use it. Never prints the secrets it holds.
public struct SecretMask: Sendable, CustomStringConvertible, CustomReflectable {
    /// Forms shorter than this are not hidden (they would hide ordinary words); no real secret is that short.
    public static let minimumLength = 4
    /// A token's part after its last `|` is hidden on its own only from this length: real ones are 32 hex digits,
    /// and a short one could be a word of the tool's own sentences ("rejected").
    public static let minimumPartLength = 12

    /// One form to hide, ASCII lower-cased, and what replaces it.
    private struct Form: Sendable, Hashable {
        let bytes: [UInt8]
        let marker: [UInt8]
    }

    /// Longest first, so a whole token is replaced before its secret part.
    private let forms: [Form]

    /// A mask for `secrets` (empty ones are ignored), each form replaced by `marker`.
    public init(_ secrets: [String] = [], marker: String = "‹secret›") {
        var forms: Set<Form> = []
        for secret in secrets {
            for form in Self.forms(of: secret) where form.utf8.count >= Self.minimumLength {
                forms.insert(Form(bytes: Self.lowered(Array(form.utf8)), marker: Array(marker.utf8)))
            }
        }
        self.forms = Self.ordered(forms)
    }

    private init(forms: [Form]) {
        self.forms = forms
    }

    /// This mask and `other`'s secrets, each with its own marker.
    public func merging(_ other: SecretMask) -> SecretMask {
        SecretMask(forms: Self.ordered(Set(forms).union(other.forms)))
    }

    /// `text` with every form of every secret replaced by its marker.
    public func masking(_ text: String) -> String {
        var bytes = Array(text.utf8)
        guard !forms.isEmpty, bytes.count >= Self.minimumLength else { return text }
        var changed = false
        for form in forms {
            var start = 0
            var out: [UInt8] = []
            while let hit = Self.find(form.bytes, in: bytes, from: start) {
                out += bytes[start..<hit]
                out += form.marker
                start = hit + form.bytes.count
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
        return forms.compactMap { Self.find($0.bytes, in: bytes, from: 0) }.min()
    }

    /// The length of the longest form: a stream searched in chunks must let consecutive chunks overlap by one
    /// byte less than this.
    public var longestForm: Int { forms.first?.bytes.count ?? 0 }

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
                if index + 2 < bytes.count, lowered[index...(index + 2)].elementsEqual("%7c".utf8) {
                    cut = index + 3; break
                }
            }
            if let cut, bytes.count - cut >= minimumPartLength {
                out.insert(String(decoding: bytes[cut...], as: UTF8.self))
            }
        }
        return out
    }

    private static func ordered(_ forms: Set<Form>) -> [Form] {
        forms.sorted {
            $0.bytes.count != $1.bytes.count
                ? $0.bytes.count > $1.bytes.count
                : $0.bytes.lexicographicallyPrecedes($1.bytes)
        }
    }

    private static func lowered(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
    }

    /// The first index at or after `start` where `haystack` holds `needle` (lower-cased), ignoring ASCII case:
    /// `memchr` finds each candidate first byte (either case), `strncasecmp` compares the rest (a NUL in the
    /// haystack is a difference, since no form holds one).
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count - start >= needle.count else { return nil }
        let firsts: [UInt8] = first >= 97 && first <= 122 ? [first, first - 32] : [first]
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                let base = UnsafeRawPointer(hay.baseAddress!)
                let last = hay.count - pin.count
                var found: Int?
                for byte in firsts {
                    var from = start
                    while from <= min(last, (found ?? Int.max) - 1),
                        let hit = memchr(base + from, Int32(byte), last - from + 1)
                    {
                        let index = base.distance(to: UnsafeRawPointer(hit))
                        if strncasecmp(
                            hit.assumingMemoryBound(to: CChar.self),
                            UnsafeRawPointer(pin.baseAddress!)
                                .assumingMemoryBound(to: CChar.self), pin.count) == 0
                        {
                            found = min(found ?? index, index)
                            break
                        }
                        from = index + 1
                    }
                }
                return found
            }
        }
    }
}
