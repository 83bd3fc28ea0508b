#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A joinable OS thread for the server's blocking socket work (accepting, one per connection).
struct ServerThread: Sendable {
    private let handle: pthread_t

    private final class Entry {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts `body` on a new thread. Returns nil when the system refuses (too many threads).
    static func start(_ body: @escaping @Sendable () -> Void) -> ServerThread? {
        let context = Unmanaged.passRetained(Entry(body)).toOpaque()
        #if canImport(Glibc)
        var handle = pthread_t()
        #else
        var handle: pthread_t?
        #endif
        let result = pthread_create(&handle, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<Entry>.fromOpaque(raw).takeRetainedValue().body()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Entry>.fromOpaque(context).release()
            return nil
        }
        #if canImport(Glibc)
        return ServerThread(handle: handle)
        #else
        return ServerThread(handle: handle!)
        #endif
    }

    /// True when called on this thread.
    var isCurrent: Bool { pthread_equal(handle, pthread_self()) != 0 }

    /// Waits for the thread to end. From the thread itself, detaches instead (it cleans up when it returns).
    func join() {
        if isCurrent {
            pthread_detach(handle)
        } else {
            pthread_join(handle, nil)
        }
    }
}
