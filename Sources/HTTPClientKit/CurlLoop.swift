import Essentials
import CCurl
import Synchronization

/// One libcurl multi handle driven by one dedicated thread; `send` hands transfers over through an inbox.
///
/// Thread rule: `multi`, `active` and every easy handle are used only on the loop thread. Other threads touch only
/// `inbox` (a Mutex) and call `curl_multi_wakeup` while holding it: libcurl documents that call as safe from any
/// thread, and the lock keeps it from racing `curl_multi_cleanup`. That is why the class is `@unchecked Sendable`.
final class CurlLoop: @unchecked Sendable {
    enum Command {
        case add(Transfer, CheckedContinuation<HTTPResponse, any Error>)
        case cancel(Transfer)
    }

    struct Inbox {
        var commands: [Command] = []
        var stopping = false
        /// The multi handle is gone: nobody may wake it any more.
        var closed = false
        var thread: DedicatedThread?
        /// Why the loop could not start, if it could not (libcurl, or the loop thread).
        var startupFailure: String?
    }

    private let multi: UnsafeMutableRawPointer?
    private let inbox = Mutex(Inbox())
    /// Loop thread only: transfers whose easy handle is in the multi handle, keyed by that handle.
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]

    init(maxTotalConnections: Int) {
        var startupFailure: String?
        if let failure = CurlGlobal.startupFailure {
            multi = nil
            startupFailure = "libcurl could not start (\(failure))"
        } else if let handle = curl_multi_init() {
            multi = handle
            let connections = max(1, maxTotalConnections)
            // These only fail for options unknown to the library; the loop works without them.
            _ = ccurl_multi_setopt_long(handle, CURLMOPT_MAX_TOTAL_CONNECTIONS, connections)
            _ = ccurl_multi_setopt_long(handle, CURLMOPT_MAXCONNECTS, connections)
            _ = ccurl_multi_setopt_long(handle, CURLMOPT_PIPELINING, Int(CURLPIPE_NOTHING))
        } else {
            multi = nil
            startupFailure = "libcurl could not create its transfer loop"
        }
        guard let multi else {
            inbox.withLock {
                $0.stopping = true; $0.closed = true; $0.startupFailure = startupFailure
            }
            return
        }
        let thread = DedicatedThread.start(name: "http-loop") { [self] in run() }
        if let thread {
            inbox.withLock { $0.thread = thread }
        } else {
            curl_multi_cleanup(multi)
            inbox.withLock {
                $0.stopping = true
                $0.closed = true
                $0.startupFailure =
                    "the HTTP client could not start its network thread (the system refused a new thread)"
            }
        }
    }

    /// Queues `transfer`; resumes `continuation` at once with `.cancelled` when the loop has stopped.
    func submit(_ transfer: Transfer, _ continuation: CheckedContinuation<HTTPResponse, any Error>) {
        let (accepted, startupFailure) = inbox.withLock { state -> (Bool, String?) in
            guard !state.stopping else { return (false, state.startupFailure) }
            state.commands.append(.add(transfer, continuation))
            _ = curl_multi_wakeup(multi)
            return (true, nil)
        }
        guard !accepted else { return }
        if let startupFailure {
            continuation.resume(
                throwing: HTTPError(
                    .unavailable,
                    "\(startupFailure), so \(transfer.subject) cannot "
                        + "be sent; check the libcurl installation and the system's limits"))
        } else {
            continuation.resume(
                throwing: HTTPError(
                    .cancelled,
                    "the HTTP client was shut down before "
                        + "\(transfer.subject) could start; create a new client"))
        }
    }

    /// Asks the loop to drop `transfer`; safe before, during and after it runs.
    func cancel(_ transfer: Transfer) {
        inbox.withLock { state in
            guard !state.stopping else { return }
            state.commands.append(.cancel(transfer))
            _ = curl_multi_wakeup(multi)
        }
    }

    /// Stops the loop: transfers in flight and queued fail with `.cancelled`. With `waiting`, waits for the thread
    /// (unless called on it); without, returns at once and the thread ends on its own.
    func shutdown(waiting: Bool = true) {
        let thread = inbox.withLock { state -> DedicatedThread? in
            if !state.stopping {
                state.stopping = true
                if !state.closed { _ = curl_multi_wakeup(multi) }
            }
            let thread = state.thread
            state.thread = nil
            return thread
        }
        if waiting { thread?.join() } else { thread?.detach() }
    }

    private func run() {
        var commands: [Command] = []
        while true {
            let stopping = inbox.withLock { state -> Bool in
                swap(&commands, &state.commands)
                return state.stopping
            }
            for command in commands { apply(command) }
            commands.removeAll(keepingCapacity: true)
            if stopping { break }
            var running: Int32 = 0
            let performed = curl_multi_perform(multi, &running)
            if performed != CURLM_OK { failActive(performed) }
            collectFinished()
            var ready: Int32 = 0
            if curl_multi_poll(multi, nil, 0, 1000, &ready) != CURLM_OK {
                usleep(1_000)  // never spin: poll failures are rare (out of memory) and may clear
            }
        }
        tearDown()
    }

    private func apply(_ command: Command) {
        switch command {
        case .add(let transfer, let continuation):
            transfer.continuation = continuation
            if transfer.cancelRequested {
                transfer.finish(.failure(transfer.cancelledError))
                return
            }
            do {
                let easy = try transfer.makeEasyHandle()
                let code = curl_multi_add_handle(multi, easy)
                guard code == CURLM_OK else {
                    throw HTTPError(
                        .other,
                        "libcurl could not start \(transfer.subject) ("
                            + String(cString: curl_multi_strerror(code)) + "); retry the request")
                }
                active[easy] = transfer
                transfer.state = .active
            } catch let error as HTTPError {
                transfer.finish(.failure(error))
            } catch {
                transfer.finish(.failure(HTTPError(.other, "\(transfer.subject) could not start; retry the request")))
            }
        case .cancel(let transfer):
            switch transfer.state {
            case .pending:
                transfer.cancelRequested = true
            case .active:
                if let easy = transfer.easy {
                    _ = curl_multi_remove_handle(multi, easy)
                    active[easy] = nil
                }
                transfer.finish(.failure(transfer.cancelledError))
            case .finished:
                break
            }
        }
    }

    private func collectFinished() {
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            guard let transfer = active.removeValue(forKey: easy) else {
                _ = curl_multi_remove_handle(multi, easy)
                continue
            }
            let outcome = transfer.outcome(code)
            _ = curl_multi_remove_handle(multi, easy)
            transfer.finish(outcome)
        }
    }

    /// libcurl's multi handle failed as a whole (out of memory, internal error): fail what runs, keep the loop.
    private func failActive(_ code: CURLMcode) {
        let reason = String(cString: curl_multi_strerror(code))
        for (easy, transfer) in active {
            _ = curl_multi_remove_handle(multi, easy)
            transfer.finish(
                .failure(
                    HTTPError(
                        .other,
                        "libcurl's transfer loop failed during \(transfer.subject) "
                            + "(\(reason)); retry the request")))
        }
        active.removeAll()
    }

    /// Fails everything still queued or running with `.cancelled`, then frees the multi handle.
    private func tearDown() {
        let leftovers = inbox.withLock { state -> [Command] in
            state.closed = true
            defer { state.commands = [] }
            return state.commands
        }
        for command in leftovers {
            if case .add(let transfer, let continuation) = command {
                transfer.continuation = continuation
                transfer.finish(.failure(shutDownError(transfer)))
            }
        }
        for (easy, transfer) in active {
            _ = curl_multi_remove_handle(multi, easy)
            transfer.finish(.failure(shutDownError(transfer)))
        }
        active.removeAll()
        curl_multi_cleanup(multi)
    }

    private func shutDownError(_ transfer: Transfer) -> HTTPError {
        HTTPError(.cancelled, "\(transfer.subject) was cancelled because the HTTP client shut down")
    }
}
