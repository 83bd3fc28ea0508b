import Essentials
import Logging

/// A page of a Graph API listing, as ``MapillaryClient/fetchListing(url:refusal:build:)`` reads it.
protocol ListingPage: Sendable {
    /// The absolute URL of the next page; nil on the last page.
    var next: String? { get }
    /// What the debug log says about the page.
    var logSummary: Logger.Metadata { get }
}

/// One page of `/images` results: the usable records, those refused, and the link to the next page.
public struct ImagePage: ListingPage {
    /// Records in the order the API listed them.
    public let records: [ImageRecord]
    /// Records refused for unsafe ids or sequences (log them; they are not downloadable).
    public let rejected: [RejectedRecord]
    /// The absolute URL of the next page (checked to be on the API origin); nil on the last page.
    public let next: String?
    /// The `limit` this page was finally fetched with (smaller than asked when the API wanted less data).
    public let limitUsed: Int

    public init(records: [ImageRecord], rejected: [RejectedRecord], next: String?, limitUsed: Int) {
        self.records = records
        self.rejected = rejected
        self.next = next
        self.limitUsed = limitUsed
    }

    var logSummary: Logger.Metadata { ["records": "\(records.count)", "rejected": "\(rejected.count)"] }
}

/// What a Graph API body turned out to hold, found by scanning it once.
enum GraphBody {
    /// A collection: the byte ranges of each `data` element, and the `paging` member.
    case collection(elements: [Range<Int>], paging: JSONValue?)
    /// An error object, whatever the HTTP status.
    case error(GraphError)
    /// Some other JSON object (an entity such as `/{id}`).
    case object(JSONValue)

    /// Scans `body` without building the `data` elements; throws `notJSON` for anything that is not
    /// one JSON object.
    static func scan(_ body: [UInt8]) throws -> GraphBody {
        var parser = JSONParser(body)
        parser.skipByteOrderMark()
        guard parser.peek() == UInt8(ascii: "{") else {
            throw MapillaryError(.notJSON, "the body does not start with a JSON object")
        }
        // Top-level objects other than collections are small: parse them whole.
        var elements: [Range<Int>]?
        var members: [String: JSONValue] = [:]
        try parser.expect(UInt8(ascii: "{"))
        if !parser.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try parser.parseString()
                try parser.expect(UInt8(ascii: ":"))
                if key == "data", parser.peek() == UInt8(ascii: "[") {
                    elements = try scanArray(&parser)
                } else {
                    members[key] = try parser.parseValue(depth: 1)
                }
            } while parser.consume(UInt8(ascii: ","))
            try parser.expect(UInt8(ascii: "}"))
        }
        try parser.expectEnd()
        if let error = GraphError(errorMember: members["error"]) { return .error(error) }
        if let elements { return .collection(elements: elements, paging: members["paging"]) }
        return .object(.object(members))
    }

    private static func scanArray(_ parser: inout JSONParser) throws -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        try parser.expect(UInt8(ascii: "["))
        if parser.consume(UInt8(ascii: "]")) { return ranges }
        repeat {
            _ = parser.peek()
            let start = parser.index
            try parser.skipValue(depth: 2)
            ranges.append(start..<parser.index)
        } while parser.consume(UInt8(ascii: ","))
        try parser.expect(UInt8(ascii: "]"))
        return ranges
    }
}

extension ImagePage {
    /// Builds a page from a scanned collection body: each element parsed into a record or a refusal.
    static func build(
        body: [UInt8], elements: [Range<Int>], paging: JSONValue?, quality: Quality,
        limitUsed: Int
    ) throws -> ImagePage {
        var records: [ImageRecord] = []
        var rejected: [RejectedRecord] = []
        records.reserveCapacity(elements.count)
        for range in elements {
            let raw = body[range]
            do {
                records.append(try ImageRecord(rawJSON: raw, quality: quality))
            } catch let error as MapillaryError {
                rejected.append(RejectedRecord(reason: error.description, rawJSON: raw))
            }
        }
        return ImagePage(records: records, rejected: rejected, next: try nextLink(paging), limitUsed: limitUsed)
    }

    /// `paging.next`: nil when absent, null or empty; throws when it is not a string.
    static func nextLink(_ paging: JSONValue?) throws -> String? {
        switch paging?["next"] {
        case nil, .null?:
            return nil
        case .string(let url)?:
            return url.isEmpty ? nil : url
        case let other?:
            throw MapillaryError(
                .unexpectedResponse,
                "the Mapillary API's paging.next is not a link (\(other)); the listing cannot continue safely")
        }
    }
}
