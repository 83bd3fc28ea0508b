import Mapillary
import Packaging

extension UserDownload {
    /// Tries from the saved cursor when the API sends a page it had sent before, before the listing ends as a fault.
    static let listingLoopAttempts = 3

    /// Pages through the user's images, recording each page and the cursor in one transaction.
    ///
    /// A page the API had sent before in this listing (its `next` link leads back to a page already read, or every
    /// record on it was listed already) is asked again from the saved cursor; after ``listingLoopAttempts`` such
    /// pages in a row the listing ends as a fault (``PipelineContext/listingFault``): the images listed so far are
    /// still downloaded, then the user fails with that sentence.
    func list(_ c: PipelineContext) async throws {
        if try c.state.listingComplete() {
            c.counters.listingComplete.store(true, ordering: .releasing)
            return
        }
        let first = client.firstPageURL(user: user, quality: options.quality, bbox: options.bbox, limit: Self.pageSize)
        var url = try c.state.cursor() ?? first
        var seen: Set<String> = [PageLink.identity(of: url)]
        var faults = 0
        while true {
            while c.counters.listed.load(ordering: .relaxed) - c.counters.finished > Self.listingWindow {
                try await Task.sleep(for: .milliseconds(50))
            }
            let page = try await client.fetchPage(url: url)
            for rejected in page.rejected {
                c.counters.refused.add(1, ordering: .relaxed)
                logger.warning("\(user): refused a record from the API: \(rejected.reason)")
            }
            let listed = page.records.map { record in
                DownloadState.Listed(
                    id: record.id, raw: record.rawJSON,
                    captureDate: ItemNaming.dateName(capturedAtMilliseconds: record.capturedAt),
                    capturedAtMillis: record.capturedAt, sequence: record.sequence,
                    thumbURL: record.thumbURL)
            }
            // A link back to a page already read: keep this page's records, but not the link (the cursor stays here).
            let loopsBack = page.next.map { !seen.insert(PageLink.identity(of: $0)).inserted } ?? false
            let next = loopsBack ? url : page.next
            let fault: String?
            switch try await c.writer.recordPage(listed, next: next) {
            case .alreadyListed:
                fault = "repeats records it had already listed"
            case .recorded(let added, let repeated):
                c.counters.listed.add(added, ordering: .relaxed)
                c.watch.touch()
                if !repeated.isEmpty {
                    let shown = repeated.prefix(5).joined(separator: ", ") + (repeated.count > 5 ? ", …" : "")
                    logger.warning(
                        "\(user): the API listed \(repeated.count) images a second time (\(shown)); keeping the records it listed first"
                    )
                }
                logger.debug(
                    "\(user): listed a page of \(listed.count) records, \(added) new (limit \(page.limitUsed)); \(page.next == nil ? "last page" : "more to come")"
                )
                fault = loopsBack ? "links back to a page already read" : nil
            }
            if let fault {
                faults += 1
                guard faults < Self.listingLoopAttempts else {
                    c.listingFault.withLock {
                        $0 = ArchiverError(
                            .listingLoop,
                            "the Mapillary API kept sending a page that \(fault), \(faults) times from the same saved page; the listing stopped there and the images listed before it were still downloaded; run the same command again later (it continues from that page), and report it if it repeats"
                        )
                    }
                    break
                }
                logger.warning(
                    "\(user): the Mapillary API sent a page that \(fault); asking again from the last saved page (try \(faults + 1) of \(Self.listingLoopAttempts))"
                )
                try await Task.sleep(for: options.retry.delay(beforeAttempt: faults + 1))
                url = try c.state.cursor() ?? first
                continue
            }
            faults = 0
            guard let next else { break }
            url = next
        }
        c.counters.listingComplete.store(true, ordering: .releasing)
        if c.listingFault.withLock({ $0 }) == nil {
            logger.info("\(user): listing complete: \(c.counters.listed.load(ordering: .relaxed)) images")
        }
    }
}
