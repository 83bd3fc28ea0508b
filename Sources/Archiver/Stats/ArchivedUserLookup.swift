import HTTPClientKit
import InternetArchive
import Packaging

/// Which Mapillary users already have an item on IA, at any quality, made by this tool or by the Python tool:
/// one scrape query for all of them (the items `stats` counts), matched here.
///
/// An item belongs to a user when its `mapillary_user` is the username (this tool's items), or when its
/// identifier is `mapillary-{user}-{quality}[-webp]` with the user part the identifier rule makes of the
/// username (both tools' items; a username IA refuses maps to a `_`-and-hash form, see ``IdentifierRule``).
/// It lives in `Archiver` beside ``StatsCollector`` for the same reason: it knows Mapillary's keys and identifiers.
public struct ArchivedUserLookup: Sendable {
    let scrape: ScrapeClient

    public init(
        http: HTTPClient, endpoints: IAEndpoints = IAEndpoints(),
        retry: RetryPolicy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(20))
    ) {
        scrape = ScrapeClient(http: http, endpoints: endpoints, retry: retry, pageSize: 10_000)
    }

    /// The identifiers on IA of each of `users` that has any (users without items are absent). Throws
    /// ``InternetArchiveError`` when the scrape API keeps failing.
    public func archived(among users: [String]) async throws -> [String: [String]] {
        guard !users.isEmpty else { return [:] }
        let items = try await scrape.items(query: StatsCollector.query, fields: ["identifier", "mapillary_user"])
        return Self.match(items, users: users)
    }

    /// `items` matched to `users` (see the type's rule); identifiers sorted.
    public static func match(_ items: [ScrapedItem], users: [String]) -> [String: [String]] {
        var byName: [String: String] = [:]
        var byIdentifierPart: [String: String] = [:]
        for user in users {
            byName[user] = user
            let identifier = IdentifierRule.mapillaryIdentifier(
                user: user, quality: IdentifierRule.qualities[0], webp: false)
            if let part = IdentifierRule.parseMapillary(identifier)?.user { byIdentifierPart[part] = user }
        }
        var found: [String: Set<String>] = [:]
        for item in items {
            guard let identifier = item.first("identifier"), !identifier.isEmpty else { continue }
            let owners =
                item.values("mapillary_user").compactMap { byName[$0] }
                + [IdentifierRule.parseMapillary(identifier).flatMap { byIdentifierPart[$0.user] }].compactMap { $0 }
            for owner in owners { found[owner, default: []].insert(identifier) }
        }
        return found.mapValues { $0.sorted() }
    }
}
