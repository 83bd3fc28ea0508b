import Essentials
import Foundation
import Mapillary

/// `discover`'s answer: the creators of an area with their image counts, most first, after `--min-images` and
/// `--exclude-archived`, as a table or JSON.
///
/// Usernames come from the API and are untrusted. One the tool would refuse (``MapillaryUsername``: a control
/// or formatting character, spaces at an end, too long) is kept in the report but marked not usable, shown with
/// those characters escaped, and left out of ``usableUsernames``; no line ever carries such a character raw.
public struct DiscoveryReport: Sendable {
    public struct Row: Sendable, Encodable {
        public let rank: Int
        public let username: String
        public let images: Int
        public let usable: Bool
        /// Why the tool would refuse the username (nil when usable).
        public let problem: String?
    }

    /// A creator left out because IA has items of theirs.
    public struct Archived: Sendable, Encodable {
        public let username: String
        public let images: Int
        public let identifiers: [String]
    }

    public let result: DiscoveryResult
    public let minImages: Int
    public let rows: [Row]
    /// Creators left out by `--min-images`.
    public let belowMinimum: Int
    /// Creators left out by `--exclude-archived` (nil when it was not asked for).
    public let archived: [Archived]?

    /// `archived`: each creator's identifiers on IA (nil: `--exclude-archived` was not given).
    public init(result: DiscoveryResult, minImages: Int = 1, archived: [String: [String]]? = nil) {
        self.result = result
        self.minImages = minImages
        let kept = result.creators.filter { $0.images >= minImages }
        belowMinimum = result.creators.count - kept.count
        self.archived = archived.map { found in
            kept.compactMap { creator in
                found[creator.username].map {
                    Archived(username: creator.username, images: creator.images, identifiers: $0)
                }
            }
        }
        let left = kept.filter { archived?[$0.username] == nil }
        rows = left.enumerated().map { index, creator in
            let problem = MapillaryUsername.problem(creator.username)
            return Row(
                rank: index + 1, username: creator.username, images: creator.images, usable: problem == nil,
                problem: problem)
        }
    }

    /// The usernames of the report the tool accepts, most images first: what `--enqueue` would add.
    public var usableUsernames: [String] { rows.filter(\.usable).map(\.username) }

    /// A heading, one row per creator (rank, username, images, and why a username is not usable), then what was
    /// left out and what could not be listed completely.
    public func table() -> String {
        let r = result
        var lines: [String] = []
        let counts =
            "\(ByteFormat.grouped(r.tiles)) tiles, \(ByteFormat.grouped(r.requests)) requests, "
            + (r.seconds < 60
                ? ByteFormat.formatFixed(r.seconds, decimals: 1) + " s" : ByteFormat.duration(seconds: r.seconds))
        guard r.images > 0 else { return "No images in the area \(r.area) (\(counts)).\n" }
        var heading =
            "Creators in \(r.area): \(ByteFormat.grouped(r.creators.count)) creators, "
            + "\(ByteFormat.grouped(r.images)) images (\(counts))"
        if r.imagesWithoutCreator > 0 {
            heading += "; \(ByteFormat.grouped(r.imagesWithoutCreator)) images without a creator"
        }
        lines.append(heading)
        if !rows.isEmpty {
            let table =
                [["rank", "username", "images", ""]]
                + rows.map { row in
                    [
                        String(row.rank), Self.shown(row.username, usable: row.usable), ByteFormat.grouped(row.images),
                        // The rule's sentence quotes the name with control characters escaped, not formatting ones.
                        row.problem.map { "not usable: " + Self.escapingInvisibles($0, json: false) } ?? "",
                    ]
                }
            let widths = (0..<3).map { column in table.map { $0[column].count }.max() ?? 0 }
            for row in table {
                let rank = String(repeating: " ", count: widths[0] - row[0].count) + row[0]
                let name = row[1] + String(repeating: " ", count: widths[1] - row[1].count)
                let images = String(repeating: " ", count: widths[2] - row[2].count) + row[2]
                let line = [rank, name, images, row[3]].joined(separator: "  ")
                lines.append(String(line.reversed().drop { $0 == " " }.reversed()))
            }
        }
        var leftOut: [String] = []
        if belowMinimum > 0 {
            leftOut.append(
                "\(ByteFormat.grouped(belowMinimum)) with fewer than \(ByteFormat.grouped(minImages)) images")
        }
        if let archived, !archived.isEmpty {
            leftOut.append(
                "\(archived.count) already on the Internet Archive: "
                    + archived.map { creator in
                        Self.shown(creator.username, usable: MapillaryUsername.problem(creator.username) == nil)
                            + " (" + creator.identifiers.joined(separator: ", ") + ")"
                    }.joined(separator: ", "))
        }
        if !leftOut.isEmpty { lines.append("Left out: " + leftOut.joined(separator: "; ") + ".") }
        if !r.incomplete.isEmpty {
            lines.append(
                "Incomplete: \(r.incomplete.count) boxes still answered a full page within one second of capture time (\(r.incomplete.prefix(3).joined(separator: "; "))\(r.incomplete.count > 3 ? "; …" : "")); the counts of their creators are lower bounds."
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same as JSON (snake_case keys); control and formatting characters in usernames are `\u` escapes.
    public func json() -> String {
        struct Document: Encodable {
            let area: String
            let tiles: Int
            let requests: Int
            let seconds: Double
            let images: Int
            let imagesWithoutCreator: Int
            let complete: Bool
            let incompleteBoxes: [String]
            let minImages: Int
            let creators: [Row]
            let leftOut: LeftOut
        }
        struct LeftOut: Encodable {
            let belowMinImages: Int
            let archived: [Archived]?
        }
        let r = result
        let document = Document(
            area: r.area.description, tiles: r.tiles, requests: r.requests,
            seconds: (r.seconds * 10).rounded() / 10, images: r.images,
            imagesWithoutCreator: r.imagesWithoutCreator, complete: r.incomplete.isEmpty,
            incompleteBoxes: r.incomplete, minImages: minImages, creators: rows,
            leftOut: LeftOut(belowMinImages: belowMinimum, archived: archived))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        guard let data = try? encoder.encode(document) else { return "{}\n" }
        return Self.escapingInvisibles(String(decoding: data, as: UTF8.self), json: true) + "\n"
    }

    /// A username for a console line: as it is when usable, else with every control or formatting character
    /// escaped (`\u{a}`), at most about 60 characters.
    static func shown(_ username: String, usable: Bool) -> String {
        usable ? username : MapillaryError.sanitized(escapingInvisibles(username, json: false), limit: 60)
    }

    /// `text` with every control, formatting or line/paragraph separator character escaped: `\u{202e}`, or in
    /// JSON `\u202e` (a surrogate pair above U+FFFF), which a JSON reader turns back into the character.
    static func escapingInvisibles(_ text: String, json: Bool) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator:
                if json && scalar.value < 0x20 {
                    // The encoder escapes these inside strings: the ones left are the document's own line breaks.
                    out.unicodeScalars.append(scalar)
                } else if json {
                    for unit in String(scalar).utf16 { out += "\\u" + String(format: "%04x", unit) }
                } else {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                }
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
