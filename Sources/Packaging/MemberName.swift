/// The rule for names handed to libarchive: tar members and tar file names.
///
/// Only `[A-Za-z0-9._/-]` is accepted. libarchive 3.6 crashes on non-ASCII names when the
/// process runs in the C locale, so such names are refused before they reach it.
public enum MemberName {
    /// The longest name accepted, in bytes (what ustar's prefix and name fields can hold).
    public static let maxLength = 255

    /// Why `name` cannot be a tar member (one sentence naming it), or nil when it is fine.
    public static func problem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.isEmpty { return "a tar member name is empty" }
        if bytes.count > maxLength {
            return
                "the tar member name '\(printable(name))' is \(bytes.count) bytes long; at most \(maxLength) are allowed"
        }
        if let bad = bytes.firstIndex(where: { !isSafe($0) }) {
            let what =
                bytes[bad] < 0x80
                ? "the character '\(printable(String(UnicodeScalar(bytes[bad]))))'" : "a non-ASCII character"
            return
                "the file name '\(printable(name))' contains \(what); rename it to use only letters, digits, '.', '_', '-' and '/'"
        }
        if bytes.first == UInt8(ascii: "/") {
            return "the tar member name '\(name)' is absolute; members must be relative paths"
        }
        for component in name.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty || component == "." || component == ".." {
                return
                    "the tar member name '\(name)' has an empty, '.' or '..' component; members must be plain relative paths"
            }
        }
        return nil
    }

    /// Why `name` cannot be a tar file name inside an item (no folders allowed), or nil when it is fine.
    public static func tarFileProblem(_ name: String) -> String? {
        if let problem = problem(name) { return problem }
        if name.contains("/") { return "the tar name '\(name)' contains '/'; tars live at the top of the item" }
        if name.hasPrefix(".") { return "the tar name '\(name)' starts with '.', which would hide it from uploads" }
        return nil
    }

    /// True for the bytes allowed in member names.
    @inline(__always)
    static func isSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "-"), UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }

    /// The name with control characters escaped, so an error sentence stays on one line.
    static func printable(_ name: String) -> String {
        var out = ""
        for scalar in name.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7f {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
