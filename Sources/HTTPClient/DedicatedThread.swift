#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A joinable OS thread for work that blocks in C (libcurl's poll loop); never a cooperative-pool thread.
struct DedicatedThread: Sendable {
    private let handle: pthread_t

    private final class Entry {
        let body: @Sendable () -> Void
        init(body: @escaping @Sendable () -> Void) {
            self.body = body
        }
    }

    /// Starts `body` on a new thread. Returns nil when the system refuses.
    static func start(_ body: @escaping @Sendable () -> Void) -> DedicatedThread? {
        let context = Unmanaged.passRetained(Entry(body: body)).toOpaque()
        #if canImport(Glibc)
        var handle = pthread_t()
        #else
        var handle: pthread_t?
        #endif
        let result = pthread_create(&handle, nil, { raw in
            guard let raw else { return nil }
            let entry = Unmanaged<Entry>.fromOpaque(raw).takeRetainedValue()
            #if os(Linux)
            nameCurrentThread("http-loop")   // shows in top/gdb; tests count loop threads by it
            #endif
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

#if os(Linux)
/// Names the calling thread (pthread_setname_np is not visible from Swift's Glibc module).
private func nameCurrentThread(_ name: String) {
    let fd = open("/proc/thread-self/comm", O_WRONLY)
    guard fd >= 0 else { return }
    defer { close(fd) }
    _ = name.withCString { write(fd, $0, strlen($0)) }
}
#endif
