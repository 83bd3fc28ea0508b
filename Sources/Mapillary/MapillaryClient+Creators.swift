extension MapillaryClient {
    /// The first page of an area query: `{api}/images?bbox=…&fields=id,creator&limit=…`, with
    /// `start_captured_at`/`end_captured_at` when the piece has a capture-time window.
    public func firstCreatorPageURL(piece: AreaPiece, limit: Int = maximumPageSize) -> String {
        let size = min(max(limit, 1), Self.maximumPageSize)
        var url = apiBase + "/images?bbox=" + piece.box.queryValue + "&fields=id,creator&limit=\(size)"
        if let window = piece.window {
            url +=
                "&start_captured_at=" + AreaPiece.isoTime(seconds: window.start)
                + "&end_captured_at=" + AreaPiece.isoTime(seconds: window.end)
        }
        return url
    }

    /// Fetches one page of an area query (a first page's URL or a saved `next` link), with the retries and
    /// page shrinking of ``fetchPage(url:)``.
    public func fetchCreatorPage(url: String) async throws -> CreatorPage {
        try await fetchListing(url: url, refusal: "check --bbox") { body, elements, paging, limit in
            try CreatorPage.build(body: body, elements: elements, paging: paging, limitUsed: limit)
        }
    }
}
