/// A joinable OS thread for work that blocks in C (libcurl's poll loop, a server's sockets); never a
/// cooperative-pool thread.
public struct DedicatedThread: Sendable {
    private let handle: pthread_t

    private final class Entry {
        let name: String?
        let body: @Sendable () -> Void
        init(name: String?, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Starts `body` on a new thread named `name` (shown by top and gdb; at most 15 bytes are kept).
    /// Returns nil when the system refuses (too many threads).
    public static func start(name: String? = nil, _ body: @escaping @Sendable () -> Void) -> DedicatedThread? {
        create(name: name, detached: false, body)
    }

    /// Runs blocking `work` (long file I/O, hashing a large file) on a thread of its own, named `name`, and returns
    /// its result: the cooperative pool stays free meanwhile. The thread is detached and ends with the work.
    public static func run<T: Sendable>(name: String, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let started = create(name: name, detached: true) { continuation.resume(with: Result { try work() }) }
            if started == nil { continuation.resume(throwing: ThreadStartError(name: name)) }
        }
    }

    /// ``run(name:_:)`` for work that cannot fail.
    public static func run<T: Sendable>(name: String, _ work: @escaping @Sendable () -> T) async throws -> T {
        try await run(name: name) { () throws -> T in work() }
    }

    private static func create(
        name: String?, detached: Bool, _ body: @escaping @Sendable () -> Void
    ) -> DedicatedThread? {
        let context = Unmanaged.passRetained(Entry(name: name, body: body)).toOpaque()
        #if canImport(Glibc)
        var handle = pthread_t()
        #else
        var handle: pthread_t?
        #endif
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if detached { pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED)) }
        let result = pthread_create(
            &handle, &attributes,
            { raw in
                guard let raw else { return nil }
                let entry = Unmanaged<Entry>.fromOpaque(raw).takeRetainedValue()
                if let name = entry.name { nameCurrentThread(name) }
                entry.body()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<Entry>.fromOpaque(context).release()
            return nil
        }
        #if canImport(Glibc)
        return DedicatedThread(handle: handle)
        #else
        return DedicatedThread(handle: handle!)
        #endif
    }

    /// True when called on this thread.
    public var isCurrent: Bool { pthread_equal(handle, pthread_self()) != 0 }

    /// Lets the thread end on its own, without anyone waiting for it (its resources go when it returns).
    public func detach() {
        pthread_detach(handle)
    }

    /// Waits for the thread to end. From the thread itself, detaches instead (it cleans up when it returns).
    public func join() {
        if isCurrent {
            pthread_detach(handle)
        } else {
            pthread_join(handle, nil)
        }
    }
}

/// Names the calling thread (pthread_setname_np is not visible from Swift's Glibc module on Linux).
private func nameCurrentThread(_ name: String) {
    #if os(Linux)
    let fd = open("/proc/thread-self/comm", O_WRONLY)
    guard fd >= 0 else { return }
    defer { close(fd) }
    _ = name.withCString { write(fd, $0, strlen($0)) }
    #endif
}
