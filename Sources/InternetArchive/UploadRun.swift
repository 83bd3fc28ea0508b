import HTTPClientKit
import Synchronization

/// The live state of one item's upload, turned into ``UploadProgress`` for the caller's handler.
/// Shared with HTTP progress callbacks (loop thread), hence the lock.
final class UploadRun: Sendable {
    private struct State {
        var stage = UploadProgress.Stage.hashing
        var file: String?
        var fileBytes: Int64 = 0
        var fileSize: Int64 = 0
        /// Item bytes of requests that finished.
        var itemDone: Int64 = 0
        var itemTotal: Int64 = 0
        var retries = 0
        var slowDownWait: Duration = .zero
        var note: String?
    }

    let identifier: String
    private let handler: (@Sendable (UploadProgress) -> Void)?
    private let state = Mutex(State())

    init(identifier: String, handler: (@Sendable (UploadProgress) -> Void)?) {
        self.identifier = identifier
        self.handler = handler
    }

    var retries: Int { state.withLock { $0.retries } }
    var slowDownWait: Duration { state.withLock { $0.slowDownWait } }

    func setItemTotal(_ bytes: Int64) {
        state.withLock { $0.itemTotal = bytes }
    }

    /// A new stage for `file` (nil for item-wide stages); clears the note.
    func begin(_ stage: UploadProgress.Stage, file: String?, size: Int64, bytes: Int64 = 0) {
        emit { state in
            state.stage = stage
            state.file = file
            state.fileSize = size
            state.fileBytes = bytes
            state.note = nil
        }
    }

    /// Bytes of the current file hashed so far.
    func hashed(_ bytes: Int64) {
        emit { $0.fileBytes = bytes }
    }

    /// The progress callback for a request sending the current file's bytes from `offset` on.
    func transferProgress(fileOffset offset: Int64) -> @Sendable (TransferProgress) -> Void {
        let last = Atomic<Int64>(-1)
        return { [self] progress in
            guard last.exchange(progress.uploaded, ordering: .relaxed) != progress.uploaded else { return }
            emit(itemExtra: progress.uploaded) { state in
                state.fileBytes = offset + progress.uploaded
                state.note = nil
            }
        }
    }

    /// `bytes` more of the item went through (a finished request's body).
    func completed(_ bytes: Int64) {
        state.withLock { $0.itemDone += bytes }
    }

    /// A retry or wait, in words; counts as one retry.
    func retrying(_ note: String) {
        emit { state in
            state.retries += 1
            state.note = note
        }
    }

    func addSlowDownWait(_ duration: Duration) {
        state.withLock { $0.slowDownWait += duration }
    }

    /// A note without counting a retry (e.g. "waiting for IA to list 3 files").
    func note(_ text: String) {
        emit { $0.note = text }
    }

    private func emit(itemExtra: Int64 = 0, _ change: (inout State) -> Void) {
        let snapshot = state.withLock { state -> UploadProgress in
            change(&state)
            return UploadProgress(
                identifier: identifier, stage: state.stage, file: state.file,
                fileBytes: state.fileBytes, fileSize: state.fileSize,
                itemBytesSent: state.itemDone + itemExtra, itemBytesTotal: state.itemTotal,
                retries: state.retries, note: state.note)
        }
        handler?(snapshot)
    }
}
