import Foundation

extension ExternalTool {
    /// ``run(_:_:environment:currentDirectory:stdin:)`` on a thread of its own: waiting for the tool never holds one
    /// of the few threads of the cooperative pool, which the code under test (and other tests) need meanwhile.
    public static func runDetached(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        currentDirectory: String? = nil
    ) async throws -> Result {
        try await detached {
            try run(executable, arguments, environment: environment, currentDirectory: currentDirectory)
        }
    }

    /// `body`, which waits for external tools, on a thread of its own (as ``runDetached(_:_:environment:currentDirectory:)``).
    public static func detached<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Swift.Result { try body() })
            }
            thread.name = "external-tool"
            thread.start()
        }
    }
}
