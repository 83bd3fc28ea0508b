import Essentials
import Foundation

extension StatsReport {
    /// The report for people: a summary, one table per collection and per quality, the items outside
    /// `mapillary-images` by uploader, then where the numbers come from. Fits 100 columns while the numbers do
    /// (up to billions of images and hundreds of TB).
    public func table(cachePath: String? = nil) -> String {
        let when = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(fetchedAt)))
        var lines = [
            "Mapillary items on the Internet Archive, " + (fromCache ? "cached from " : "fetched ") + when, "",
        ]
        lines += Self.columns(
            [
                [
                    "items", ByteFormat.grouped(total.items),
                    "\(ByteFormat.grouped(total.archiverItems)) made by "
                        + "mapillary-archiver, \(ByteFormat.grouped(total.downloaderItems)) by mapillary_downloader",
                ],
                ["users", ByteFormat.grouped(total.users.count), "Mapillary contributors"],
                ["images", ByteFormat.grouped(total.images), "every item's count, summed"],
                [
                    "unique images", ByteFormat.grouped(total.uniqueImages),
                    Self.percent(total.shareOfMapillary) + " of Mapillary's "
                        + ByteFormat.grouped(Int(mapillaryTotal.images)),
                ],
                ["size", ByteFormat.size(total.bytes), ""],
            ].map(Optional.some), rightAligned: [1])
        lines.append("")
        lines += campaignLines()
        let header = ["items", "ours", "python", "images", "unique", "share", "size", "users"]
        var rows: [[String]?] = [["collection"] + header, nil]
        rows += collections.map(Self.row)
        rows += [nil, Self.row(total), [], ["quality"] + header, nil]
        rows += qualities.map(Self.row)
        lines += Self.columns(rows, rightAligned: Set(1...header.count))
        lines.append("")
        lines.append("ours: made by mapillary-archiver; python: made by mapillary_downloader")
        lines.append("unique: per contributor, the largest count of their items; share: unique of Mapillary's total")
        lines.append("")
        lines += outsideLines()
        lines.append(
            "Mapillary's total: \(ByteFormat.grouped(Int(mapillaryTotal.images))) images"
                + (mapillaryTotal.asOf.map { ", as of " + $0 } ?? "") + " (--mapillary-total N to change)")
        lines.append("  source: " + mapillaryTotal.source)
        if let cachePath {
            lines.append("cache: \(cachePath)" + (fromCache ? " (--refresh asks IA again)" : ""))
        }
        return lines.joined(separator: "\n")
    }

    /// The campaign queue's done jobs beside what IA holds, then its jobs per state.
    private func campaignLines() -> [String] {
        guard let queue = campaignQueue else { return [] }
        var lines = ["campaign queue \(queue.queue):"]
        lines += Self.columns(
            [
                ["", "items", "images", "size", ""],
                [
                    "done in the queue", ByteFormat.grouped(queue.done), ByteFormat.grouped(Int(queue.doneImages)),
                    ByteFormat.size(queue.doneBytes),
                    "\(ByteFormat.grouped(queue.uploaded)) uploaded, "
                        + "\(ByteFormat.grouped(queue.verified)) verified",
                ],
                [
                    "on IA, both tools", ByteFormat.grouped(total.items), ByteFormat.grouped(total.images),
                    ByteFormat.size(total.bytes), "",
                ],
            ].map(Optional.some), rightAligned: [1, 2, 3])
        lines.append(
            "jobs: \(queue.pending) pending (\(queue.waiting) waiting to retry), \(queue.running) running, "
                + "\(queue.done) done, \(queue.failed) failed; \(queue.total) in all")
        lines.append("")
        return lines
    }

    private func outsideLines() -> [String] {
        guard !outsideMapillaryImages.isEmpty else { return ["All items are in the mapillary-images collection.", ""] }
        let count = outsideMapillaryImages.reduce(0) { $0 + $1.items.count }
        var lines = ["\(ByteFormat.grouped(count)) items outside mapillary-images, by uploader:"]
        var rows: [[String]?] = [["uploader", "items", "images", "size"], nil]
        rows += outsideMapillaryImages.map {
            [$0.uploader, ByteFormat.grouped($0.items.count), ByteFormat.grouped($0.images), ByteFormat.size($0.bytes)]
        }
        lines += Self.columns(rows, rightAligned: [1, 2, 3])
        for uploader in outsideMapillaryImages.sorted(by: { $0.uploader.lowercased() < $1.uploader.lowercased() }) {
            lines.append("")
            lines.append(uploader.uploader + ":")
            lines += uploader.items.map { "  " + $0 }
        }
        lines.append("")
        return lines
    }

    private static func row(_ tally: Tally) -> [String] {
        [
            tally.name, ByteFormat.grouped(tally.items), ByteFormat.grouped(tally.archiverItems),
            ByteFormat.grouped(tally.downloaderItems), ByteFormat.grouped(tally.images),
            ByteFormat.grouped(tally.uniqueImages), percent(tally.shareOfMapillary), ByteFormat.size(tally.bytes),
            ByteFormat.grouped(tally.users.count),
        ]
    }

    /// "0.049%": three decimals, as the Python tool prints its shares.
    static func percent(_ share: Double) -> String {
        ByteFormat.formatFixed(share * 100, decimals: 3) + "%"
    }

    /// `rows` in columns two spaces apart (the first left-aligned unless listed), nil rows as a rule of dashes
    /// across the table, empty rows as blank lines.
    static func columns(_ rows: [[String]?], rightAligned: Set<Int>) -> [String] {
        let cells = rows.compactMap { $0 }
        let count = cells.map(\.count).max() ?? 0
        let widths = (0..<count).map { column in cells.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        let ruleWidth = widths.reduce(0, +) + 2 * max(0, count - 1)
        return rows.map { row in
            guard let row else { return String(repeating: "-", count: ruleWidth) }
            let text = row.enumerated().map { column, text in
                let pad = String(repeating: " ", count: widths[column] - text.count)
                return rightAligned.contains(column) ? pad + text : text + pad
            }.joined(separator: "  ")
            return String(text.reversed().drop { $0 == " " }.reversed())
        }
    }
}
