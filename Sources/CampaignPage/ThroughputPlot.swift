import Campaign
import Essentials

/// The throughput plot: one bar per slot for the images archived in it, drawn as inline SVG (no script needed;
/// the page's script redraws it the same way from `/status.json`).
enum ThroughputPlot {
    static let width = 960
    static let height = 200
    /// Room under the bars for the time labels.
    static let labelSpace = 20

    /// The plot of `history` (none while the queue cannot be read) over `window`.
    static func svg(_ history: ThroughputHistory?, window: ThroughputHistory.Window) -> String {
        let slots = history?.slots ?? []
        let plotHeight = Double(height - labelSpace)
        let most = max(1, slots.map(\.images).max() ?? 0)
        let step = Double(width) / Double(max(1, slots.count))
        var bars = ""
        for (index, slot) in slots.enumerated() where slot.images > 0 || slot.jobs > 0 {
            let barHeight = max(1, Double(slot.images) / Double(most) * plotHeight)
            let title =
                "\(ByteFormat.duration(seconds: slot.startedSecondsAgo)) ago: \(slot.jobs) job\(slot.jobs == 1 ? "" : "s"), "
                + "\(ByteFormat.grouped(Int(slot.images))) images, \(ByteFormat.size(slot.bytes))"
            bars +=
                "<rect class=\"bar\" x=\"\(fixed(Double(index) * step + 1))\" y=\"\(fixed(plotHeight - barHeight))\" "
                + "width=\"\(fixed(max(1, step - 2)))\" height=\"\(fixed(barHeight))\"><title>\(MarkupText.escape(title))</title></rect>"
        }
        let mostLabel =
            slots.contains { $0.images > 0 }
            ? "highest: \(ByteFormat.grouped(Int(most))) images" : "no image archived in this time"
        let span = spoken(seconds: Int(window.span.components.seconds))
        let baseline = fixed(plotHeight + 0.5)
        return """
            <svg id="throughput" viewBox="0 0 \(width) \(height)" role="img" aria-labelledby="throughput-title">\
            <g id="throughput-bars">\(bars)</g>\
            <line class="axis" x1="0" y1="\(baseline)" x2="\(width)" y2="\(baseline)"></line>\
            <text class="tick" x="0" y="\(height - 4)">\(MarkupText.escape(span)) ago</text>\
            <text class="tick" x="\(width)" y="\(height - 4)" text-anchor="end">now</text>\
            <text id="throughput-most" class="tick" x="4" y="14">\(MarkupText.escape(mostLabel))</text>\
            </svg>
            """
    }

    /// `12 hours`, `15 minutes`, `90 seconds`: a window or slot length in words.
    static func spoken(seconds: Int) -> String {
        let (count, unit) =
            seconds % 3600 == 0
            ? (seconds / 3600, "hour") : seconds % 60 == 0 ? (seconds / 60, "minute") : (seconds, "second")
        return "\(count) \(unit)\(count == 1 ? "" : "s")"
    }

    /// One decimal, without a locale.
    private static func fixed(_ value: Double) -> String {
        ByteFormat.formatFixed(value, decimals: 1)
    }
}
