import Dispatch
import Foundation
import Synchronization

extension FolderPackager {
    /// Writes the tars, up to one per core at a time (largest first), each hashing on a worker
    /// thread as well, so hashing never holds up the disk. Then one fsync per tar: the kernel was
    /// asked to start writing each tar as it was made, so little is left to wait for.
    static func writeTars(
        _ tars: [FolderPlan.Tar], into folder: String,
        progress: ProgressCounter
    ) throws -> [String: FileSummary] {
        guard !tars.isEmpty else { return [:] }
        let order = tars.sorted { $0.files.reduce(0) { $0 + $1.size } > $1.files.reduce(0) { $0 + $1.size } }
        let jobs = TarJobs(count: order.count)
        let workers = min(order.count, max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4)))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let index = jobs.next() {
                let tar = order[index]
                do {
                    let appender = try TarAppender(path: folder + "/" + tar.name, hashOnSeparateThread: true)
                    for file in tar.files {
                        guard !jobs.failed else { return }
                        try appender.append(member: file.relative, contentsOfFile: file.source) {
                            progress.addBytes($0)
                        }
                        progress.fileDone()
                    }
                    jobs.finished(tar.name, try appender.finish(sync: false))
                } catch {
                    jobs.fail(error)
                    return
                }
            }
        }
        let summaries = try jobs.results()
        for tar in tars { try FileTree.syncFile(folder + "/" + tar.name) }
        return summaries
    }
}

/// The shared queue of tar jobs: next index, results, and the first failure (which stops the rest).
final class TarJobs: Sendable {
    private struct State {
        var next = 0
        var summaries: [String: FileSummary] = [:]
        var failure: (any Error)?
    }

    private let count: Int
    private let state = Mutex(State())

    init(count: Int) { self.count = count }

    /// The next job's index, or nil when all are taken or one failed.
    func next() -> Int? {
        state.withLock { state in
            guard state.failure == nil, state.next < count else { return nil }
            state.next += 1
            return state.next - 1
        }
    }

    var failed: Bool { state.withLock { $0.failure != nil } }

    func finished(_ name: String, _ summary: FileSummary) {
        state.withLock { $0.summaries[name] = summary }
    }

    func fail(_ error: any Error) {
        state.withLock { if $0.failure == nil { $0.failure = error } }
    }

    /// Every summary, or the first failure.
    func results() throws -> [String: FileSummary] {
        let (summaries, failure) = state.withLock { ($0.summaries, $0.failure) }
        if let failure { throw failure }
        return summaries
    }
}
