import Essentials
import Logging

/// One page of an area query (`/images?bbox=…&fields=id,creator`): who made each image listed.
public struct CreatorPage: ListingPage {
    /// One listed image and its creator's username as the API gave it (untrusted text; nil when absent).
    public struct Sighting: Sendable, Equatable {
        public let imageID: String
        public let username: String?

        public init(imageID: String, username: String?) {
            self.imageID = imageID
            self.username = username
        }
    }

    /// The usable records, in the API's order.
    public let sightings: [Sighting]
    /// Records without a usable id (not an object, no string id, an id over 128 bytes).
    public let refused: Int
    /// The absolute URL of the next page (checked to be on the API origin); nil on the last page.
    public let next: String?
    /// The `limit` this page was finally fetched with.
    public let limitUsed: Int

    public init(sightings: [Sighting], refused: Int, next: String?, limitUsed: Int) {
        self.sightings = sightings
        self.refused = refused
        self.next = next
        self.limitUsed = limitUsed
    }

    var logSummary: Logger.Metadata { ["records": "\(sightings.count)", "refused": "\(refused)"] }

    /// A full page without a next link: the API may have stopped at its cap (a bbox query without
    /// `creator_username` can end at 2,000 records with no `next`), so the query's area must be asked in pieces.
    public var isPossiblyCapped: Bool {
        next == nil && sightings.count + refused >= limitUsed
    }

    /// Reads each `data` element of a scanned collection body.
    static func build(body: [UInt8], elements: [Range<Int>], paging: JSONValue?, limitUsed: Int) throws -> CreatorPage {
        var sightings: [Sighting] = []
        sightings.reserveCapacity(elements.count)
        var refused = 0
        for range in elements {
            guard let record = try? JSONParser.parseDocument(Array(body[range])),
                case .string(let id)? = record["id"], (1...128).contains(id.utf8.count)
            else {
                refused += 1
                continue
            }
            sightings.append(Sighting(imageID: id, username: record["creator"]?["username"]?.stringValue))
        }
        return CreatorPage(
            sightings: sightings, refused: refused, next: try ImagePage.nextLink(paging),
            limitUsed: limitUsed)
    }
}
