import Essentials
import Foundation
import Imaging
import Mapillary
import Packaging
import Synchronization

extension UserDownload {
    /// How far the listing may run ahead of finished images (bounded memory and fresh signed URLs).
    static let listingWindow = 4_000
    /// Records asked for per listing page: the API's maximum, so a contributor takes the fewest requests against
    /// Mapillary's rate limit. A page is held about three times while it is stored (body, parsed records, rows):
    /// a few MB at peak.
    static let pageSize = 2_000
    /// Largest image body accepted from the CDN.
    static let maxImageBytes = 200 << 20

    /// Lists and downloads concurrently until every listed image is done or failed.
    func runPipeline(state: DownloadState, counters: RunCounters) async throws {
        let writer = try ImageWriter(staging: staging, state: state, tarMode: options.tar)
        defer { writer.shutdown() }
        try await writer.openTars()
        // A later run of a published item keeps that item's thumbnail (finalize carries it over); one that started
        // from IA's copy keeps IA's.
        let thumbnailOnIA = try state.value("thumbnail_on_internet_archive") == "1"
        let needThumbnail =
            !FileManager.default.fileExists(atPath: staging + "/__ia_thumb__.jpg")
            && !FileManager.default.fileExists(atPath: finalPath + "/__ia_thumb__.jpg") && !thumbnailOnIA
        let context = PipelineContext(
            state: state, counters: counters, writer: writer,
            netSlots: budget.netSlots, cpuSlots: budget.cpuSlots,
            writeSlots: AsyncSemaphore(limit: budget.writeQueue), tuner: budget.tuner,
            needThumbnail: needThumbnail, watch: ProgressWatch(limit: options.noProgressTimeout))

        let progress = Task { await showProgress(counters: counters, slots: budget.netSlots) }
        let flusher = Task {
            while true {
                do { try await Task.sleep(for: .milliseconds(500)) } catch { break }  // cancelled: the run is over
                _ = try? await writer.commitIfDue()
            }
        }
        defer {
            progress.cancel()
            flusher.cancel()
        }
        do {
            counters.stage = "listing"
            context.watch.touch()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await withThrowingTaskGroup(of: Void.self) { stages in
                        stages.addTask { try await list(context) }
                        stages.addTask { try await fetchAll(context) }
                        // `waitForAll()` would wait for the other child after one failed; this stops at the first
                        // error, and leaving the scope cancels the other.
                        for try await _ in stages {}
                    }
                }
                // Throws when nothing moves for too long; the first child to end (the stages, or this) ends both.
                group.addTask { try await context.watch.watch() }
                try await group.next()
                group.cancelAll()
            }
            try await writer.commit()
        } catch {
            await writer.abandon()
            throw error
        }
        if let fault = context.listingFault.withLock({ $0 }) { throw fault }
    }

    /// Hands pending images to download tasks, bounded by the transfer slots.
    private func fetchAll(_ c: PipelineContext) async throws {
        var lastSeq: Int64 = 0
        try await withThrowingDiscardingTaskGroup { group in
            while true {
                try Task.checkCancellation()
                let complete = c.counters.listingComplete.load(ordering: .acquiring)
                let after = lastSeq
                let batch = try await c.writer.pending(after: after, limit: 256)
                if batch.isEmpty {
                    if complete { break }
                    try await Task.sleep(for: .milliseconds(50))
                    continue
                }
                if c.counters.stage == "listing" || c.counters.stage == "starting" { c.counters.stage = "downloading" }
                for item in batch {
                    lastSeq = item.seq
                    await c.netSlots.acquire()
                    group.addTask { try await process(item, c) }
                }
            }
        }
    }

    /// Downloads, transforms and writes one image. Image-level failures are recorded, not thrown.
    private func process(_ item: DownloadState.Pending, _ c: PipelineContext) async throws {
        var holdsNetSlot = true
        defer { if holdsNetSlot { c.netSlots.release() } }
        let record: ImageRecord
        do {
            record = try ImageRecord(rawJSON: item.raw, quality: options.quality)
        } catch {
            try await fail(item.id, "its stored record no longer parses (\(error))", permanent: true, c)
            return
        }
        let download: ImageDownload
        let observer = DownloadObserver(progress: c.watch.transferProgress()) { [user, logger] attempt, reason in
            logger.warning("\(user): image \(item.id): retrying the download (attempt \(attempt)) after: \(reason)")
        }
        do {
            download = try await client.downloadImage(
                id: item.id, url: item.thumbURL, quality: options.quality,
                maxBytes: Self.maxImageBytes, observer: observer)
        } catch let error as MapillaryError where error.code == .tokenRejected {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let permanent = (error as? MapillaryError)?.isPermanentForImage ?? false
            try await fail(item.id, "\(error)", permanent: permanent, c)
            return
        }
        c.counters.bytesDownloaded.add(download.bytes.count, ordering: .relaxed)
        c.tuner?.transferFinished(bytes: download.bytes.count)
        if download.url != item.thumbURL {
            let url = download.url
            try await c.writer.updateThumbURL(id: item.id, url: url)
        }

        await c.cpuSlots.acquire()
        c.netSlots.release()
        holdsNetSlot = false
        var holdsCPUSlot = true
        defer { if holdsCPUSlot { c.cpuSlots.release() } }
        let processed: ProcessedImage
        do {
            let metadata = captureMetadata(record)
            let transcoder = self.transcoder
            let bytes = download.bytes
            let date = ItemNaming.dateName(capturedAtMilliseconds: record.capturedAt)
            let mtime = record.capturedAt.map { $0 / 1000 - ($0 % 1000 < 0 ? 1 : 0) } ?? 0
            processed = try await env.cpu.run {
                let result = try transcoder.transcode(bytes, metadata: metadata)
                for warning in result.warnings { logger.warning("\(user): image \(record.id): \(warning)") }
                return ProcessedImage(
                    id: record.id, date: date, sequence: record.sequence,
                    format: result.format, bytes: result.bytes,
                    md5: MD5.hex(of: result.bytes), mtime: mtime)
            }
            if c.needThumbnail.compareExchange(expected: true, desired: false, ordering: .relaxed).exchanged {
                try await makeThumbnail(from: bytes, c)
            }
        } catch let error as ImagingError {
            try await fail(item.id, "the image could not be processed: \(error)", permanent: true, c)
            return
        }
        // The CPU slot is held until the disk thread has room: a slow disk slows the encoder, not the memory.
        await c.writeSlots.acquire()
        c.cpuSlots.release()
        holdsCPUSlot = false
        defer { c.writeSlots.release() }
        try await c.writer.write(processed)
        c.watch.touch()
        c.counters.done.add(1, ordering: .relaxed)
        c.counters.bytesWritten.add(processed.bytes.count, ordering: .relaxed)
    }

    private func fail(_ id: String, _ message: String, permanent: Bool, _ c: PipelineContext) async throws {
        // Without the id, equal reasons group in the summary ("12 × the CDN answered … not a JPEG").
        let reason = message.replacingOccurrences(of: id, with: "…")
            .replacingOccurrences(of: #"\(\d+ bytes"#, with: "(N bytes", options: .regularExpression)
        if permanent {
            c.counters.unavailable.add(1, ordering: .relaxed)
        } else {
            c.counters.failed.add(1, ordering: .relaxed)
        }
        logger.warning("\(user): image \(id) \(permanent ? "is unavailable" : "failed"): \(message)")
        try await c.writer.markFailed(id: id, reason: reason, permanent: permanent)
        c.watch.touch()
    }

    private func makeThumbnail(from jpeg: [UInt8], _ c: PipelineContext) async throws {
        let path = staging + "/__ia_thumb__.jpg"
        do {
            let thumb = try await env.cpu.run { try Thumbnail.jpeg(from: jpeg) }
            try await c.writer.writeFile(thumb, to: path)
        } catch let error as FileError {
            throw error
        } catch {
            logger.warning(
                "\(user): could not make the item thumbnail from the first image (\(error)); trying the next one")
            c.needThumbnail.store(true, ordering: .relaxed)
        }
    }

    /// What the Imaging module writes into the file, from the API record (API preferences applied here).
    func captureMetadata(_ record: ImageRecord) -> CaptureMetadata {
        let position = record.preferredPosition
        return CaptureMetadata(
            make: record.make, model: record.model, width: record.width, height: record.height,
            capturedAtMillis: record.capturedAt, latitude: position?.latitude,
            longitude: position?.longitude, altitude: record.preferredAltitude,
            heading: record.preferredHeading, isPano: record.isPanorama)
    }
}

/// The shared pieces of one user's pipeline.
final class PipelineContext: Sendable {
    let state: DownloadState
    let counters: RunCounters
    let writer: ImageWriter
    /// Transfers in flight (raised by `tuner` when the run has no `--concurrency`).
    let netSlots: AsyncSemaphore
    /// Images encoding or waiting for an encoder thread.
    let cpuSlots: AsyncSemaphore
    /// Finished images waiting for the disk thread.
    let writeSlots: AsyncSemaphore
    let tuner: ConcurrencyTuner?
    let needThumbnail: Atomic<Bool>
    /// Gives the user up when nothing moves for too long.
    let watch: ProgressWatch
    /// Why the listing ended early (the API kept sending pages it had sent): the user fails with it once the
    /// images listed so far are done.
    let listingFault = Mutex<ArchiverError?>(nil)

    init(
        state: DownloadState, counters: RunCounters, writer: ImageWriter,
        netSlots: AsyncSemaphore, cpuSlots: AsyncSemaphore, writeSlots: AsyncSemaphore, tuner: ConcurrencyTuner?,
        needThumbnail: Bool, watch: ProgressWatch
    ) {
        self.state = state
        self.counters = counters
        self.writer = writer
        self.netSlots = netSlots
        self.cpuSlots = cpuSlots
        self.writeSlots = writeSlots
        self.tuner = tuner
        self.needThumbnail = Atomic(needThumbnail)
        self.watch = watch
    }
}
