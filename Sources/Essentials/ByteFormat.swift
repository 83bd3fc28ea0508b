/// Human-readable sizes, rates and durations for progress lines and summaries.
public enum ByteFormat {
    /// Decimal units, as the Python tool prints them: "1.23 GB", "456.78 MB", "12 B".
    public static func size(_ bytes: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        return formatFixed(value, decimals: 2) + " " + units[unit]
    }

    /// "2h 15m", "45m 30s", "30s".
    public static func duration(seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let total = Int(seconds.rounded())
        let h = total / 3600, m = (total % 3600) / 60, s = total % 60
        if h > 0 { return "\(h)h \(m)m" }
        if m > 0 { return "\(m)m \(s)s" }
        return "\(s)s"
    }

    /// A fixed-point rendering without Foundation's locale-dependent formatting.
    public static func formatFixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let negative = value < 0
        let scaled = Int64((abs(value) * scale).rounded())
        let whole = scaled / Int64(scale)
        let frac = scaled % Int64(scale)
        var text = String(whole)
        if decimals > 0 {
            var fracText = String(frac)
            while fracText.count < decimals { fracText = "0" + fracText }
            text += "." + fracText
        }
        return negative && scaled != 0 ? "-" + text : text
    }

    /// Thousands-separated integer: 12345 → "12,345".
    public static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return value < 0 ? "-" + out : out
    }
}
