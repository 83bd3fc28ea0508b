import Synchronization

/// Counts files and bytes done and calls the progress callback (after each file, and every
/// 16 MiB within large ones). Shared by the packaging threads.
final class ProgressCounter: Sendable {
    private struct State {
        var progress: PackageProgress
        var sinceReport: Int64 = 0
    }

    private let state: Mutex<State>
    private let callback: (@Sendable (PackageProgress) -> Void)?

    init(plan: FolderPlan, callback: (@Sendable (PackageProgress) -> Void)?) {
        let files = plan.allFiles
        let start = PackageProgress(
            filesDone: 0, filesTotal: files.count, bytesDone: 0,
            bytesTotal: files.reduce(0) { $0 + $1.size })
        state = Mutex(State(progress: start))
        self.callback = callback
        callback?(start)
    }

    func addBytes(_ count: Int) {
        let report: PackageProgress? = state.withLock { state in
            state.progress.bytesDone += Int64(count)
            state.sinceReport += Int64(count)
            guard state.sinceReport >= 16 << 20 else { return nil }
            state.sinceReport = 0
            return state.progress
        }
        if let report { callback?(report) }
    }

    func fileDone() {
        let report = state.withLock { state in
            state.progress.filesDone += 1
            state.sinceReport = 0
            return state.progress
        }
        callback?(report)
    }
}
