/// What the done jobs produced, summed over the whole campaign (``QueueStatus`` gives only the last hour's).
public struct DoneTotals: Sendable, Equatable {
    public var jobs = 0
    public var images: Int64 = 0
    public var bytes: Int64 = 0
    /// Done jobs whose item was uploaded, and those whose upload was verified.
    public var uploaded = 0
    public var verified = 0

    public init(jobs: Int = 0, images: Int64 = 0, bytes: Int64 = 0, uploaded: Int = 0, verified: Int = 0) {
        self.jobs = jobs
        self.images = images
        self.bytes = bytes
        self.uploaded = uploaded
        self.verified = verified
    }
}

extension JobQueue {
    /// The done jobs' results, summed in one statement.
    public func doneTotals() throws -> DoneTotals {
        guard
            let row = try store.statement(
                """
                SELECT COUNT(*), COALESCE(SUM(images), 0), COALESCE(SUM(bytes), 0), COALESCE(SUM(uploaded), 0),
                    COALESCE(SUM(verified), 0)
                FROM campaign_jobs WHERE state = 'done'
                """, []
            ).first
        else { return DoneTotals() }
        return DoneTotals(
            jobs: row.int(0) ?? 0, images: row.int64(1) ?? 0, bytes: row.int64(2) ?? 0,
            uploaded: row.int(3) ?? 0, verified: row.int(4) ?? 0)
    }
}
