extension FolderPackager {
    /// The template facts for a folder without `.meta`: user and quality from a
    /// `mapillary-{user}-{quality}[-webp]` identifier, the image count, and the capture date range
    /// from `metadata.jsonl.gz` (`captured_at`) or else from the date folder names.
    static func facts(identifier: String, plan: FolderPlan, root: String) throws -> ItemFacts {
        let parsed = IdentifierRule.parseMapillary(identifier)
        var facts = ItemFacts(
            identifier: identifier, user: parsed?.user, quality: parsed?.quality,
            webp: parsed?.webp ?? false, tarred: !plan.tars.isEmpty, imageCount: plan.images.count)
        var range: (first: String, last: String)?
        if plan.carried.contains(where: { $0.relative == "metadata.jsonl.gz" }) {
            range = try captureDateRange(metadata: root + "/metadata.jsonl.gz")
        }
        if range == nil {
            let dated = plan.dateFolders.filter { $0 != ItemNaming.unknownDate }.sorted()
            if let first = dated.first, let last = dated.last { range = (first, last) }
        }
        facts.firstDate = range?.first
        facts.lastDate = range?.last
        return facts
    }

    /// The UTC dates of the smallest and largest `captured_at` in a records file; nil when none has one.
    static func captureDateRange(metadata path: String) throws -> (first: String, last: String)? {
        var lowest: Int64?
        var highest: Int64?
        try GzipLineReader.forEachLine(path: path) { line in
            guard let millis = capturedAt(in: line) else { return }
            lowest = min(lowest ?? millis, millis)
            highest = max(highest ?? millis, millis)
        }
        guard let lowest, let highest else { return nil }
        let first = ItemNaming.dateName(capturedAtMilliseconds: lowest)
        let last = ItemNaming.dateName(capturedAtMilliseconds: highest)
        guard first != ItemNaming.unknownDate, last != ItemNaming.unknownDate else { return nil }
        return (first, last)
    }

    /// The integer after `"captured_at":` in a JSON record line, without parsing the whole record.
    static func capturedAt(in line: [UInt8]) -> Int64? {
        let key = Array(#""captured_at""#.utf8)
        guard line.count > key.count else { return nil }
        var i = 0
        while i + key.count <= line.count {
            if line[i] == key[0] && Array(line[i..<(i + key.count)]) == key {
                var j = i + key.count
                while j < line.count, line[j] == 0x20 || line[j] == 0x09 { j += 1 }
                guard j < line.count, line[j] == UInt8(ascii: ":") else { i += 1; continue }
                j += 1
                while j < line.count, line[j] == 0x20 || line[j] == 0x09 { j += 1 }
                var negative = false
                if j < line.count, line[j] == UInt8(ascii: "-") { negative = true; j += 1 }
                var value: Int64 = 0
                var digits = 0
                while j < line.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(line[j]), digits < 18 {
                    value = value * 10 + Int64(line[j] - UInt8(ascii: "0"))
                    digits += 1
                    j += 1
                }
                return digits > 0 ? (negative ? -value : value) : nil
            }
            i += 1
        }
        return nil
    }
}
