import Foundation

/// Runs blocking work (hashing large files) on a thread of its own, so the cooperative pool stays free.
enum BlockingThread {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try work() })
            }
            thread.name = "ia-hash"
            thread.start()
        }
    }
}
