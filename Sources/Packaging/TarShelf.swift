/// The tars of one staging folder, with at most ``maxOpen`` of them open at a time (least recently
/// used ones are suspended), so thousands of capture dates do not exhaust file descriptors.
///
/// Each tar's length and running MD5 live in memory; an evicted tar reopens at its in-memory
/// length. Commit protocol for the caller: append, ``sync(_:)`` or ``syncAll()``, then store
/// ``state(of:)`` of each synced tar. Not thread-safe: used by one writer task or thread.
public final class TarShelf {
    /// The folder holding the tars.
    public let directory: String
    /// The most tars kept open at once.
    public let maxOpen: Int

    private struct Slot {
        var length: Int64
        var md5State: [UInt8]?
        var appender: TarAppender?
        var lastUse: UInt64
    }

    private var slots: [String: Slot] = [:]
    /// Tars finished by this shelf: never reopened (that would truncate a published tar).
    private var finished: Set<String> = []
    private var clock: UInt64 = 0
    private var openCount = 0

    /// - Parameter maxOpen: at least 1.
    public init(directory: String, maxOpen: Int = 64) {
        self.directory = directory
        self.maxOpen = max(1, maxOpen)
    }

    /// The names of the tars on the shelf, sorted.
    public var names: [String] { slots.keys.sorted() }

    /// How many tars are open right now (at most ``maxOpen``).
    public var openTars: Int { openCount }

    /// Adds a tar known from the caller's state; it opens (and is truncated to `committedLength`)
    /// on its first append. `md5State` nil means "rebuild it by reading the committed bytes".
    public func register(name: String, committedLength: Int64, md5State: [UInt8]?) throws {
        if let problem = MemberName.tarFileProblem(name) { throw PackagingError(.unsafeName, problem) }
        if finished.contains(name) {
            throw PackagingError(
                .misuse,
                "the tar \(name) was already finished; add new images to an addendum tar (ItemNaming.tarName(date:avoiding:))"
            )
        }
        if let old = slots[name], old.appender != nil {
            throw PackagingError(
                .misuse, "the tar \(name) is already open on this shelf; register tars before appending to them")
        }
        slots[name] = Slot(length: committedLength, md5State: md5State, appender: nil, lastUse: 0)
    }

    /// Appends one member to the tar `tar` (created empty if it was never registered) and returns
    /// the member's end offset in that tar (the tar's new length).
    @discardableResult
    public func append(tar: String, member: String, bytes: [UInt8], mtime: Int64) throws -> Int64 {
        let appender = try openAppender(tar)
        let endOffset = try appender.append(member: member, bytes: bytes, mtime: mtime)
        slots[tar]?.length = endOffset
        return endOffset
    }

    /// fsyncs every open tar.
    public func syncAll() throws {
        for (_, slot) in slots.sorted(by: { $0.key < $1.key }) { try slot.appender?.sync() }
    }

    /// fsyncs the named tars that are open (suspended tars were synced when suspended).
    public func sync(_ names: some Sequence<String>) throws {
        for name in names { try slots[name]?.appender?.sync() }
    }

    /// The in-memory length and MD5 state of a tar, to commit after a sync; nil for an unknown name.
    /// A tar registered without a saved state is opened once to rebuild its checksum.
    public func state(of name: String) throws -> (length: Int64, md5State: [UInt8])? {
        guard let slot = slots[name] else { return nil }
        if let appender = slot.appender { return (appender.length, appender.md5State) }
        if let md5State = slot.md5State { return (slot.length, md5State) }
        let appender = try openAppender(name)
        return (appender.length, appender.md5State)
    }

    /// Suspends every open tar (fsync + close, no end-of-archive blocks), e.g. before shutting down.
    public func suspendAll() throws {
        for name in slots.keys.sorted() { try suspend(name) }
    }

    /// Finishes one tar (end-of-archive blocks, fsync, close) and removes it from the shelf.
    public func finish(_ name: String) throws -> FileSummary {
        let appender = try openAppender(name)
        let summary = try appender.finish()
        openCount -= 1
        slots[name] = nil
        finished.insert(name)
        return summary
    }

    /// Finishes every tar on the shelf, one at a time; returns each tar's final size and MD5.
    public func finishAll() throws -> [String: FileSummary] {
        var out: [String: FileSummary] = [:]
        for name in slots.keys.sorted() { out[name] = try finish(name) }
        return out
    }

    // MARK: - LRU

    private func openAppender(_ name: String) throws -> TarAppender {
        clock += 1
        if let appender = slots[name]?.appender {
            slots[name]?.lastUse = clock
            return appender
        }
        if slots[name] == nil { try register(name: name, committedLength: 0, md5State: nil) }
        while openCount >= maxOpen, let victim = leastRecentlyUsed() { try suspend(victim) }
        guard let slot = slots[name] else { throw PackagingError(.misuse, "the tar \(name) is not on the shelf") }
        let appender = try TarAppender(
            path: directory + "/" + name, committedLength: slot.length, md5State: slot.md5State)
        slots[name]?.appender = appender
        slots[name]?.lastUse = clock
        openCount += 1
        return appender
    }

    private func leastRecentlyUsed() -> String? {
        var best: (name: String, use: UInt64)?
        for (name, slot) in slots where slot.appender != nil {
            if best == nil || slot.lastUse < best!.use { best = (name, slot.lastUse) }
        }
        return best?.name
    }

    private func suspend(_ name: String) throws {
        guard let appender = slots[name]?.appender else { return }
        slots[name]?.appender = nil
        openCount -= 1
        slots[name]?.length = appender.length
        slots[name]?.md5State = appender.md5State
        try appender.suspend()
    }
}
