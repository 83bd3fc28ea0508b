extension Duration {
    /// Whole milliseconds, rounded up so that a tiny positive duration never becomes 0 ("no limit" to libcurl).
    var roundedUpMilliseconds: Int {
        let (seconds, attoseconds) = components
        guard seconds < Int64(Int.max / 2000) else { return Int.max / 2 }
        let millis = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(max(millis, 1))
    }

    /// A short human rendering: "1.5 s", "250 ms".
    public var shortText: String {
        let ms = roundedUpMilliseconds
        if ms < 1000 { return "\(ms) ms" }
        let tenths = (ms + 50) / 100
        return tenths % 10 == 0 ? "\(tenths / 10) s" : "\(tenths / 10).\(tenths % 10) s"
    }
}
