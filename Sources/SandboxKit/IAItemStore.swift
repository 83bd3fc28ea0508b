import Essentials
import Foundation
import Synchronization

/// The sandbox IA's items, files and multipart uploads. Bytes live on disk under the component's folder;
/// everything else in memory behind one lock. Used from the servers' connection threads.
final class IAItemStore: Sendable {
    struct StoredFile: Sendable {
        let name: String
        let size: Int64
        let md5: String
        /// Seconds since 1970 when IA accepted it.
        let mtime: Int64
        /// Nil for a listing-only preloaded file.
        let blobPath: String?
        /// It appears in the metadata API from this instant.
        var visibleAt: ContinuousClock.Instant
    }

    struct Item: Sendable {
        let identifier: String
        /// Access key of the owner; nil = an account the sandbox does not know.
        let owner: String?
        let uploader: String
        /// Keys in the order they were first set.
        var metadata: [(key: String, values: [String])]
        var files: [String: StoredFile] = [:]
        let dark: Bool
        let declaredSize: Int64?
        let created: Int64

        var size: Int64 { declaredSize ?? files.values.reduce(0) { $0 + $1.size } }

        func values(_ key: String) -> [String] { metadata.first { $0.key == key }?.values ?? [] }
    }

    /// One received part: `size` bytes of the file at `path` from `offset`.
    struct Part: Sendable {
        let path: String
        let offset: Int64
        let size: Int64
        let md5: String
    }

    struct Upload: Sendable {
        let id: String
        let identifier: String
        let key: String
        let owner: String
        let initiated: Int64
        var parts: [Int: Part] = [:]
        /// Parts arriving in order are written straight into one assembly file, so completing the usual upload
        /// is a rename, not a copy: parts 1...appended fill it up to `assemblyEnd`.
        let assemblyPath: String
        var appended = 0
        var assemblyEnd: Int64 = 0
        /// The running MD5 after each appended part (`states[0]` is empty).
        var states: [MD5] = [MD5()]
        var assemblyBusy = false
    }

    /// Where a part streaming into the assembly starts, and the running MD5 before it.
    struct AssemblyClaim {
        let path: String
        let offset: Int64
        let running: MD5
    }

    private struct State {
        var items: [String: Item] = [:]
        var uploads: [String: Upload] = [:]
        var nextBlob = 0
        var bytesReceived: [String: Int64] = [:]
        var totalReceived: Int64 = 0
    }

    let directory: String
    private let state = Mutex(State())

    init(directory: String) throws {
        self.directory = directory
        do {
            try DurableFile.makeDirectories(directory + "/blobs")
            try DurableFile.makeDirectories(directory + "/parts")
        } catch {
            throw SandboxError(.fileAccess, "the IA sandbox cannot create its folders under \(directory): \(error)")
        }
    }

    /// A fresh path for incoming bytes.
    func newBlobPath() -> String {
        let number = state.withLock { state -> Int in
            state.nextBlob += 1
            return state.nextBlob
        }
        return directory + "/blobs/\(number)"
    }

    func item(_ identifier: String) -> Item? {
        state.withLock { $0.items[identifier] }
    }

    var allItems: [Item] {
        state.withLock { Array($0.items.values) }.sorted { $0.identifier < $1.identifier }
    }

    /// Creates the item unless it exists; returns whether it was created.
    @discardableResult
    func createIfMissing(_ item: Item) -> Bool {
        state.withLock { state in
            guard state.items[item.identifier] == nil else { return false }
            state.items[item.identifier] = item
            return true
        }
    }

    func replaceMetadata(_ identifier: String, _ metadata: [(key: String, values: [String])]) {
        state.withLock { $0.items[identifier]?.metadata = metadata }
    }

    /// Stores `file` in the item, replacing (and deleting the bytes of) an earlier file of that name.
    func store(_ file: StoredFile, in identifier: String) {
        let old = state.withLock { state -> String? in
            let previous = state.items[identifier]?.files[file.name]?.blobPath
            state.items[identifier]?.files[file.name] = file
            return previous
        }
        if let old, old != file.blobPath { unlink(old) }
    }

    /// Makes every file of `identifier` visible in the metadata API now (its ingest finished).
    func finishIngest(of identifier: String) {
        let now = ContinuousClock.now
        state.withLock { state in
            guard let item = state.items[identifier] else { return }
            for (name, file) in item.files where file.visibleAt > now {
                state.items[identifier]?.files[name]?.visibleAt = now
            }
        }
    }

    /// Removes a file; false when there was none.
    func remove(_ name: String, from identifier: String) -> Bool {
        let removed = state.withLock { state -> StoredFile? in
            state.items[identifier]?.files.removeValue(forKey: name)
        }
        if let path = removed?.blobPath { unlink(path) }
        return removed != nil
    }

    /// Counts body bytes received for `identifier/key` (every attempt, parts included).
    func countReceived(_ bytes: Int64, identifier: String, key: String) {
        guard bytes > 0 else { return }
        state.withLock { state in
            state.bytesReceived[identifier + "/" + key, default: 0] += bytes
            state.totalReceived += bytes
        }
    }

    func received(identifier: String, key: String) -> Int64 {
        state.withLock { $0.bytesReceived[identifier + "/" + key] ?? 0 }
    }

    var totalReceived: Int64 { state.withLock { $0.totalReceived } }

    // MARK: multipart

    func startUpload(identifier: String, key: String, owner: String, id: String) {
        try? DurableFile.makeDirectories(directory + "/parts/" + id)
        state.withLock { state in
            state.uploads[id] = Upload(
                id: id, identifier: identifier, key: key, owner: owner,
                initiated: Int64(Date().timeIntervalSince1970),
                assemblyPath: directory + "/parts/" + id + "/assembly")
        }
    }

    /// Lets part `number` stream into the assembly when it is the next one in order (or a resend of the last
    /// one, which is dropped first); nil when it must go to a file of its own.
    func claimAssembly(upload id: String, number: Int) -> AssemblyClaim? {
        state.withLock { state in
            guard var upload = state.uploads[id], !upload.assemblyBusy else { return nil }
            if number == upload.appended && number > 0, let last = upload.parts[number],
                last.path == upload.assemblyPath
            {
                upload.appended -= 1
                upload.assemblyEnd = last.offset
                upload.states.removeLast()
                upload.parts[number] = nil
            }
            guard number == upload.appended + 1 else { return nil }
            upload.assemblyBusy = true
            state.uploads[id] = upload
            return AssemblyClaim(
                path: upload.assemblyPath, offset: upload.assemblyEnd, running: upload.states[upload.appended])
        }
    }

    /// Ends a claim: with `part` and the running MD5 after it on success, or nothing when the part failed.
    func releaseAssembly(upload id: String, number: Int, part: Part?, running: MD5?) -> Bool {
        let (known, replaced) = state.withLock { state -> (Bool, String?) in
            guard var upload = state.uploads[id] else { return (false, nil) }
            upload.assemblyBusy = false
            var replaced: String?
            if let part, let running {
                replaced = upload.parts[number]?.path
                upload.parts[number] = part
                upload.appended = number
                upload.assemblyEnd = part.offset + part.size
                upload.states.append(running)
            }
            state.uploads[id] = upload
            return (true, replaced)
        }
        if let replaced, !replaced.hasSuffix("/assembly") { unlink(replaced) }
        return known
    }

    func upload(_ id: String) -> Upload? {
        state.withLock { $0.uploads[id] }
    }

    func uploads(of identifier: String) -> [Upload] {
        state.withLock { state in state.uploads.values.filter { $0.identifier == identifier } }
            .sorted { ($0.key, $0.id) < ($1.key, $1.id) }
    }

    /// Records a part; false when the upload is gone (aborted or completed meanwhile).
    func storePart(_ part: Part, number: Int, upload id: String) -> Bool {
        let (known, old) = state.withLock { state -> (Bool, String?) in
            guard state.uploads[id] != nil else { return (false, nil) }
            let old = state.uploads[id]?.parts[number]?.path
            state.uploads[id]?.parts[number] = part
            return (true, old)
        }
        if let old, old != part.path, !old.hasSuffix("/assembly") { unlink(old) }
        return known
    }

    /// Removes the upload and its part files; returns it.
    @discardableResult
    func endUpload(_ id: String) -> Upload? {
        let upload = state.withLock { $0.uploads.removeValue(forKey: id) }
        if let upload {
            for part in upload.parts.values { unlink(part.path) }
            unlink(upload.assemblyPath)
            rmdir(directory + "/parts/" + id)
        }
        return upload
    }
}
