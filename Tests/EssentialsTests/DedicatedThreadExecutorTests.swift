import Essentials
import Foundation
import Testing

/// An actor that keeps its state on a thread of its own, as the per-user disk writer does.
private actor Recorder {
    nonisolated let executor: DedicatedThreadExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    private var order: [Int] = []
    private var threads: Set<String> = []

    init() throws {
        executor = try DedicatedThreadExecutor(name: "recorder")
    }

    func record(_ value: Int) {
        order.append(value)
        threads.insert(Self.threadName())
    }

    func snapshot() -> (order: [Int], threads: Set<String>, isolated: Bool) {
        (order, threads, executor.isIsolatingCurrentContext() == true)
    }

    /// The OS name of the calling thread (what `top -H` shows).
    static func threadName() -> String {
        (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
    }
}

struct DedicatedThreadExecutorTests {
    @Test func anActorOnItRunsEveryCallOnItsOwnThreadInOrder() async throws {
        let recorder = try Recorder()
        for value in 0..<200 { await recorder.record(value) }
        // Calls from many tasks at once are still one at a time, on the same thread.
        await withTaskGroup(of: Void.self) { group in
            for value in 200..<400 { group.addTask { await recorder.record(value) } }
        }
        let (order, threads, isolated) = await recorder.snapshot()
        #expect(Array(order.prefix(200)) == Array(0..<200), "one caller's calls keep their order")
        #expect(Set(order) == Set(0..<400))
        #expect(threads == ["recorder"], "never a thread of the cooperative pool")
        #expect(isolated)
        #expect(Recorder.threadName() != "recorder")
        recorder.executor.shutdown()
    }

    @Test func theThreadEndsAtShutdownAndCallsAfterItStillRun() async throws {
        let recorder = try Recorder()
        await recorder.record(1)
        recorder.executor.shutdown()
        var threads = 1
        for _ in 0..<500 where threads > 0 {
            try await Task.sleep(for: .milliseconds(10))
            threads = Self.threads(named: "recorder")
        }
        #expect(threads == 0, "the thread ended")
        await recorder.record(2)
        let (order, _, _) = await recorder.snapshot()
        #expect(order == [1, 2], "a call after the shutdown ran on a thread started for it")
    }

    /// Threads of this process whose name starts with `name`.
    static func threads(named name: String) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter {
            ((try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8)) ?? "").hasPrefix(name)
        }.count
    }
}
