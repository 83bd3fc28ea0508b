/// What tests need to check a client against the hostile user kinds (``SandboxConfiguration/UserKind``).
extension MapillarySandbox {
    /// The ids of `user`'s images the CDN trickles (`trickle`) or sends with more bytes than declared
    /// (`long-body`); empty for the other kinds.
    public func cdnFaultImageIDs(user: String) -> [String] {
        guard let kind = service.dataset.kinds[user], kind == .trickle || kind == .longBody else { return [] }
        return expectedImages(user: user).filter(MapillaryService.isChosenForCDNFault).map(\.id)
    }

    /// The second records of a `duplicates` user, in listing order: the same ids as some of
    /// ``expectedImages(user:)``, with another capture date and sequence. Empty for the other kinds.
    public func relistedImages(user: String) -> [SandboxImage] {
        service.relistedRecords(user: user)
    }

    /// Sets the rate at which the CDN sends the chosen images of `trickle` users, in bytes per second (0: the head
    /// and then nothing); nil serves them normally from now on.
    public func setTrickleRate(_ bytesPerSecond: Int?) {
        service.misbehaviour.trickleRate = bytesPerSecond.map { max(0, $0) }
    }

    /// What the hostile kinds have done so far.
    public var misbehaviourCounters: SandboxMisbehaviourCounters { service.misbehaviour.counters }

    /// The banner's words for the hostile kinds' knobs in use.
    var misbehaviourFaults: [String] {
        guard service.dataset.kinds.values.contains(.trickle) else { return [] }
        let rate = service.misbehaviour.trickleRate ?? 0
        return ["trickle users' chosen images at \(rate) B/s" + (rate == 0 ? " (head only)" : "")]
    }
}
