import Synchronization

/// What the hostile user kinds have done so far (see ``SandboxConfiguration/UserKind``).
public struct SandboxMisbehaviourCounters: Sendable, Equatable {
    /// `/images` pages whose `next` link pointed back to a page already served (`paging-self`, `paging-cycle`).
    public var loopingPages = 0
    /// `/images` pages that repeated the first page's records (`repeated-pages`).
    public var repeatedPages = 0
    /// Records listed a second time with other fields (`duplicates`).
    public var duplicateRecords = 0
    /// CDN answers sent slowly (`trickle`), including those the client gave up on.
    public var trickledAnswers = 0
    /// CDN answers with more bytes than their `Content-Length` (`long-body`).
    public var longAnswers = 0
}

/// The live state behind the hostile kinds: the CDN's trickle rate (changeable while running) and the counters.
final class SandboxMisbehaviour: Sendable {
    enum Event { case loopingPage, repeatedPage, duplicateRecord, trickledAnswer, longAnswer }

    /// Bytes per second for trickled images; nil serves them normally.
    private let trickle: Mutex<Int?>
    private let counts = Mutex(SandboxMisbehaviourCounters())

    init(trickleRate: Int) {
        trickle = Mutex(trickleRate)
    }

    var trickleRate: Int? {
        get { trickle.withLock { $0 } }
        set { trickle.withLock { $0 = newValue } }
    }

    func count(_ event: Event, _ n: Int = 1) {
        counts.withLock { c in
            switch event {
            case .loopingPage: c.loopingPages += n
            case .repeatedPage: c.repeatedPages += n
            case .duplicateRecord: c.duplicateRecords += n
            case .trickledAnswer: c.trickledAnswers += n
            case .longAnswer: c.longAnswers += n
            }
        }
    }

    var counters: SandboxMisbehaviourCounters { counts.withLock { $0 } }
}
