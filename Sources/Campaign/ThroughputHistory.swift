/// What the jobs done over a recent window produced, slot by slot (the campaign page's plot). Slots are aligned
/// on the queue's clock (a 15-minute slot starts at :00, :15, :30 or :45), so a slot keeps its place from one
/// snapshot to the next; times are given as seconds before the snapshot, which needs no agreement between clocks.
public struct ThroughputHistory: Sendable, Encodable, Equatable {
    /// The window to report: its length and the length of one slot.
    public struct Window: Sendable, Equatable {
        public var span: Duration
        public var slot: Duration

        public init(span: Duration, slot: Duration) {
            self.span = span
            self.slot = slot
        }

        /// Slots in the window (at least one), the last of them the one under way.
        var slotCount: Int64 { max(1, (span.milliseconds + slot.milliseconds - 1) / max(1, slot.milliseconds)) }
    }

    public struct Slot: Sendable, Encodable, Equatable {
        /// When the slot began, in seconds before the snapshot.
        public var startedSecondsAgo: Double
        public var jobs = 0
        public var images: Int64 = 0
        public var bytes: Int64 = 0
    }

    public var slotSeconds: Double
    /// Oldest first; the last one is under way. A slot in which no job was done is there, with zeros.
    public var slots: [Slot]
}

extension ThroughputHistory {
    /// The jobs done in `window`, up to the queue's clock `now` (milliseconds), in one statement.
    static func read(_ window: Window, now: Int64, in session: QueueSession) throws -> ThroughputHistory {
        let slot = max(1, window.slot.milliseconds)
        let first = now / slot - window.slotCount + 1
        var slots = (0..<window.slotCount).map { index in
            Slot(startedSecondsAgo: Double(now - (first + index) * slot) / 1000)
        }
        for row in try session.rows(
            """
            SELECT finished_at / $1, COUNT(*), COALESCE(SUM(images), 0), COALESCE(SUM(bytes), 0)
            FROM campaign_jobs WHERE state = 'done' AND finished_at >= $2 GROUP BY 1
            """, [.integer(slot), .integer(first * slot)])
        {
            guard let number = row.int64(0), number >= first, number - first < window.slotCount else { continue }
            let index = Int(number - first)
            slots[index].jobs = row.int(1) ?? 0
            slots[index].images = row.int64(2) ?? 0
            slots[index].bytes = row.int64(3) ?? 0
        }
        return ThroughputHistory(slotSeconds: Double(slot) / 1000, slots: slots)
    }
}
