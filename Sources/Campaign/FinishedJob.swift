/// A job done, with its result: the recently finished list of the campaign page.
public struct FinishedJob: Sendable, Encodable, Equatable {
    public var username: String
    public var quality: String
    public var webp: Bool
    /// The Internet Archive identifier of the item.
    public var identifier: String
    public var images: Int64
    public var bytes: Int64
    public var uploaded: Bool
    public var verified: Bool
    public var secondsAgo: Double
    public var worker: String?
    public var host: String?
}

extension FinishedJob {
    /// The `limit` jobs done last, newest first.
    static func recent(_ limit: Int, in session: QueueSession) throws -> [FinishedJob] {
        try session.rows(
            """
            SELECT username, quality, webp, identifier, images, bytes, uploaded, verified, {now} - finished_at, worker, host
            FROM campaign_jobs WHERE state = 'done' ORDER BY finished_at DESC, id DESC LIMIT $1
            """, [.init(limit)]
        ).map { row in
            FinishedJob(
                username: row.string(0) ?? "", quality: row.string(1) ?? "", webp: row.bool(2),
                identifier: row.string(3) ?? "", images: row.int64(4) ?? 0, bytes: row.int64(5) ?? 0,
                uploaded: row.bool(6), verified: row.bool(7), secondsAgo: Double(row.int64(8) ?? 0) / 1000,
                worker: row.string(9), host: row.string(10))
        }
    }
}
