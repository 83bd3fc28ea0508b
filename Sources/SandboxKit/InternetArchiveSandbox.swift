import Essentials
import Foundation
import HTTPServerKit
import Synchronization

/// The Internet Archive half of the sandbox: IAS3 (`IA_S3_URL`) on the component's first port and
/// archive.org (`IA_ARCHIVE_URL`: metadata and scrape APIs) on the second; plus what tests need to check a
/// client against it.
public final class InternetArchiveSandbox: SandboxComponent {
    public let configuration: InternetArchiveSandboxConfiguration
    let store: IAItemStore
    let controls: IASandboxControls
    let log = IARequestLog()
    /// The running servers; nil once stopped. Releasing the last reference stops a server exactly once (its
    /// deinit): `HTTPServer.stop()` plus the deinit's own stop would wake a descriptor that is closed already.
    private let servers: Mutex<(s3: HTTPServer, archive: HTTPServer)?>
    /// `IA_S3_URL`.
    public let s3URL: String
    /// `IA_ARCHIVE_URL`.
    public let archiveURL: String
    /// The ports of IAS3 and archive.org (to start a sandbox on the same ones later).
    public let ports: (s3: Int, archive: Int)

    init(configuration: InternetArchiveSandboxConfiguration, context: SandboxContext) throws {
        try configuration.validate()
        self.configuration = configuration
        let store = try IAItemStore(directory: context.dataDirectory)
        let controls = IASandboxControls(configuration: configuration, seed: context.configuration.seed)
        let parts = IAServiceParts(configuration: configuration, store: store, controls: controls, log: log)
        let s3 = IAS3Service(parts: parts)
        let archive = IAArchiveService(parts: parts)
        self.store = store
        self.controls = controls
        let host = context.configuration.host
        let s3Port = configuration.s3Port != 0 ? configuration.s3Port : context.port(0)
        let archivePort = configuration.archivePort != 0 ? configuration.archivePort : context.port(1)
        let s3Server = try HTTPServer(host: host, port: s3Port) { request, response in
            s3.handle(request, response)
        }
        let archiveServer = try HTTPServer(host: host, port: archivePort) { request, response in
            archive.handle(request, response)
        }
        s3URL = s3Server.baseURL
        archiveURL = archiveServer.baseURL
        ports = (s3Server.port, archiveServer.port)
        servers = Mutex((s3Server, archiveServer))
        do {
            for item in configuration.items { try preload(item) }
        } catch {
            stop()
            throw error
        }
    }
    /// The accounts IAS3 accepts (the first is the default).
    public var accounts: [InternetArchiveSandboxConfiguration.Account] { controls.accounts }
    public var accessKey: String { accounts.first?.accessKey ?? "" }
    public var secretKey: String { accounts.first?.secretKey ?? "" }

    public var environment: [(name: String, value: String)] {
        [
            ("IA_S3_URL", s3URL), ("IA_ARCHIVE_URL", archiveURL), ("IA_ACCESS_KEY_ID", accessKey),
            ("IA_SECRET_ACCESS_KEY", secretKey),
        ]
    }

    public var bannerLines: [String] {
        var faults: [String] = []
        if configuration.faultRate > 0 {
            faults.append("\(Int((configuration.faultRate * 100).rounded()))% resets/500s")
        }
        if configuration.slowDownBurst > 0 { faults.append("\(configuration.slowDownBurst) SlowDowns first") }
        if configuration.slowDownRate > 0 {
            faults.append("\(Int((configuration.slowDownRate * 100).rounded()))% SlowDown")
        }
        if configuration.ingestDelay > .zero {
            faults.append("ingest delay \(MapillarySandbox.describe(configuration.ingestDelay))")
        }
        return [
            "  IAS3       \(s3URL)",
            "  archive    \(archiveURL)   (metadata and scrape APIs)",
            "  IA keys    \(accessKey) / \(secretKey)",
            "  IA faults  " + (faults.isEmpty ? "none" : faults.joined(separator: "; ")),
        ]
    }

    /// Stops both servers (closing their connections and joining their threads). Safe to call more than once.
    public func stop() {
        let running = servers.withLock { servers in
            defer { servers = nil }
            return servers
        }
        withExtendedLifetime(running) {}
    }

    // MARK: for tests

    /// Every request both hosts received (up to 20,000), oldest first.
    public func requestLog() -> [IARequestRecord] { log.all() }

    public func clearRequestLog() { log.clear() }

    /// PUT body bytes received for `identifier/key` over all attempts (failed, reset and re-sent ones, and parts).
    public func bytesReceived(identifier: String, key: String) -> Int64 {
        store.received(identifier: identifier, key: key)
    }

    /// PUT body bytes received by IAS3 in all.
    public var totalBytesReceived: Int64 { store.totalReceived }

    public var counters: IASandboxCounters { controls.counters }

    /// The items that had two writes under way at once (``IASandboxCounters/overlappingItemWrites``).
    public var overlappedIdentifiers: Set<String> { controls.overlappedIdentifiers }

    /// The item as stored, or nil.
    public func item(_ identifier: String) -> IASandboxItem? {
        store.item(identifier).map { item in
            IASandboxItem(
                identifier: item.identifier, owner: item.owner, metadata: item.metadata,
                files: item.files.mapValues { IASandboxItem.File(size: $0.size, md5: $0.md5, path: $0.blobPath) },
                dark: item.dark)
        }
    }

    /// Multipart uploads in flight for `identifier`.
    public func pendingUploads(identifier: String) -> Int { store.uploads(of: identifier).count }

    public func addAccount(_ account: InternetArchiveSandboxConfiguration.Account) { controls.addAccount(account) }

    /// The next `count` upload requests get 503 SlowDown.
    public func injectSlowDown(count: Int) { controls.injectSlowDown(count: count) }

    public func setSlowDownRate(_ rate: Double) { controls.setSlowDownRate(rate) }

    /// The next `checks` `check_limit` answers say `over_limit: 1`.
    public func setOverLimit(checks: Int) { controls.setOverLimit(checks: checks) }

    public func setFaultRate(_ rate: Double) { controls.setFaultRate(rate) }

    /// The next `count` scrape API requests get 429 Too Many Requests (IA's answer to too many searches).
    public func throttleScrapes(count: Int) { controls.throttleScrapes(count: count) }

    public func markSpam(_ identifier: String) { controls.markSpam(identifier) }

    /// Ends the ingest delay of every file of `identifier` stored so far: the metadata API lists them now.
    public func finishIngest(of identifier: String) { store.finishIngest(of: identifier) }

    /// While on, the metadata API (`/metadata/{id}`) answers 503, as archive.org does when it is overloaded.
    public func setMetadataAPIFailing(_ failing: Bool) { controls.metadataAPIFailing = failing }

    /// Replaces the bytes of `name` in `identifier` as another uploader would: IA lists it at once with the MD5 of
    /// `contents`. The item must exist.
    public func overwrite(identifier: String, name: String, contents: [UInt8]) throws {
        guard store.item(identifier) != nil else {
            throw SandboxError(
                .invalidConfiguration, "the IA sandbox has no item \(identifier) to overwrite \(name) in")
        }
        let path = try writeBlob(contents, name: name, identifier: identifier)
        store.store(
            IAItemStore.StoredFile(
                name: name, size: Int64(contents.count), md5: MD5.hex(of: contents),
                mtime: Int64(Date().timeIntervalSince1970), blobPath: path,
                visibleAt: .now), in: identifier)
    }

    /// Adds an item as if it had been on IA before. Like every IA item it lists an `uploader`: the one its metadata
    /// gives, else the owner's e-mail, else `someone@example.org`.
    public func preload(_ item: InternetArchiveSandboxConfiguration.Item) throws {
        let uploader =
            item.metadata["uploader"]?.first
            ?? controls.accounts.first { $0.accessKey == item.owner }?.email ?? "someone@example.org"
        var stored = IAItemStore.Item(
            identifier: item.identifier, owner: item.owner, uploader: uploader,
            metadata: [("identifier", [item.identifier])]
                + item.metadata.sorted { $0.key < $1.key }
                .filter { $0.key != "identifier" && $0.key != "uploader" }
                .map { ($0.key, $0.value) }
                + [("uploader", [uploader])],
            dark: item.dark, declaredSize: item.itemSize,
            created: Int64(Date().timeIntervalSince1970))
        for file in item.files {
            var blob: String?
            var md5 = file.md5 ?? ""
            var size = file.size ?? 0
            if let contents = file.contents {
                blob = try writeBlob(contents, name: file.name, identifier: item.identifier)
                md5 = MD5.hex(of: contents)
                size = Int64(contents.count)
            }
            stored.files[file.name] = IAItemStore.StoredFile(
                name: file.name, size: size, md5: md5,
                mtime: stored.created, blobPath: blob,
                visibleAt: .now)
        }
        guard store.createIfMissing(stored) else {
            throw SandboxError(.invalidConfiguration, "the IA sandbox already has an item \(item.identifier)")
        }
    }

    /// Writes `contents` to a fresh blob of the store; returns its path.
    private func writeBlob(_ contents: [UInt8], name: String, identifier: String) throws -> String {
        let path = store.newBlobPath()
        do {
            try DurableFile.write(contents, to: path)
        } catch {
            throw SandboxError(.fileAccess, "the IA sandbox cannot store \(name) of \(identifier): \(error)")
        }
        return path
    }
}
