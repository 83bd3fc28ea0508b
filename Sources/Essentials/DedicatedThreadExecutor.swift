import Dispatch
import Synchronization

/// A serial executor that runs every job on one ``DedicatedThread`` of its own, in the order enqueued.
///
/// An actor that returns it as its `unownedExecutor` does all its work on that thread: blocking file I/O (writes,
/// fsyncs, SQLite transactions) then never occupies a thread of Swift's cooperative pool, and the compiler still
/// checks that the actor's state is touched only from inside the actor.
///
/// ``shutdown()`` ends the thread once the jobs enqueued so far have run. A job enqueued after that starts a new
/// thread (one at a time, so the jobs stay serial) that ends again when it has nothing left to run.
public final class DedicatedThreadExecutor: SerialExecutor {
    private struct State {
        var jobs: [UnownedJob] = []
        var stopping = false
        /// The thread running the jobs; nil once it ended after a shutdown.
        var thread: DedicatedThread?
        /// A thread runs the jobs, or is being started to: nobody else may run them.
        var active = true
    }

    public let name: String
    private let state = Mutex(State())
    private let wakeup = DispatchSemaphore(value: 0)

    /// Starts the thread, named `name` (15 bytes are kept). Throws ``ThreadStartError`` when the system refuses
    /// a new thread.
    public init(name: String) throws {
        self.name = name
        try startThread()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let restart = state.withLock { s -> Bool in
            s.jobs.append(job)
            guard !s.active else { return false }
            s.active = true
            return true
        }
        guard restart else {
            wakeup.signal()
            return
        }
        // Work after a shutdown: a thread of its own again. If even that is refused, the jobs run here (this caller
        // holds `active`, so no other thread runs them meanwhile).
        if (try? startThread()) != nil {
            wakeup.signal()
            return
        }
        while let job = state.withLock({ s -> UnownedJob? in
            guard !s.jobs.isEmpty else {
                s.active = false
                return nil
            }
            return s.jobs.removeFirst()
        }) {
            job.runSynchronously(on: asUnownedSerialExecutor())
        }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// True on the executor's own thread: the actor's isolation holds there.
    public func isIsolatingCurrentContext() -> Bool? {
        state.withLock { $0.thread?.isCurrent } ?? false
    }

    public func checkIsolated() {
        precondition(isIsolatingCurrentContext() == true, "not on the thread of the executor \(name)")
    }

    /// Ends the thread once the jobs enqueued so far have run; returns at once.
    public func shutdown() {
        state.withLock { $0.stopping = true }
        wakeup.signal()
    }

    /// Starts a thread and records it before it runs a job (``isIsolatingCurrentContext()`` asks for it).
    private func startThread() throws {
        let recorded = DispatchSemaphore(value: 0)
        guard
            let thread = DedicatedThread.start(
                name: name,
                { [self] in
                    recorded.wait()
                    self.loop()
                })
        else {
            throw ThreadStartError(name: name)
        }
        state.withLock { $0.thread = thread }
        recorded.signal()
    }

    private func loop() {
        while true {
            wakeup.wait()
            // Taken a batch at a time: a job may enqueue more, which the next batch runs.
            while case let batch = takeAll(), !batch.isEmpty {
                for job in batch { job.runSynchronously(on: asUnownedSerialExecutor()) }
            }
            let ending = state.withLock { s -> DedicatedThread?? in
                guard s.stopping, s.jobs.isEmpty else { return nil }
                defer { s.thread = nil; s.active = false }
                return .some(s.thread)
            }
            if let ending {
                ending?.join()  // from the thread itself: detaches, so it is reclaimed when it returns
                return
            }
        }
    }

    private func takeAll() -> [UnownedJob] {
        state.withLock { s in
            defer { s.jobs.removeAll(keepingCapacity: true) }
            return s.jobs
        }
    }
}

/// The system refused to start a thread (too many threads, or too little memory).
public struct ThreadStartError: Error, Sendable, CustomStringConvertible {
    public let name: String

    public var description: String {
        "the system refused to start the thread \(name) (too many threads or too little memory); close other programs and run again"
    }
}
