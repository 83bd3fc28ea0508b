import Campaign
import Essentials

/// The campaign page as the server renders it: complete without its script (which then only refreshes it from
/// `/status.json`). Every value from the queue goes through ``MarkupText/escape(_:)``.
enum CampaignPageHTML {
    /// The page for `reading`; `nonce` allows its one style sheet and its one script (Content-Security-Policy).
    static func page(_ reading: CampaignSnapshots.Reading, options: CampaignPageOptions, nonce: String) -> String {
        let view = try? reading.get()
        var problem = ""
        if case .failure(let failure) = reading { problem = failure.sentence }
        let counts = view?.status.counts
        let title = counts.map { "Campaign: \($0.running) running, \($0.done) done, \($0.failed) failed" } ?? "Campaign"
        let slot = ThroughputPlot.spoken(seconds: Int(options.history.slot.components.seconds))
        let span = ThroughputPlot.spoken(seconds: Int(options.history.span.components.seconds))
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(MarkupText.escape(title))</title>
            <noscript><meta http-equiv="refresh" content="\(options.refreshSeconds)"></noscript>
            <style nonce="\(nonce)">\(CampaignPageAssets.css)</style>
            </head>
            <body data-refresh="\(options.refreshSeconds)">
            <header><h1>Campaign</h1><p id="state" class="problem">\(MarkupText.escape(problem))</p></header>
            <section id="counts" aria-label="jobs per state">\(countsHTML(counts))</section>
            <p id="pace">\(MarkupText.escape(view?.status.pace ?? ""))</p>
            <section>
            <h2 id="throughput-title">Images archived per \(MarkupText.escape(slot)), last \(MarkupText.escape(span))</h2>
            \(ThroughputPlot.svg(view?.status.history, window: options.history))
            </section>
            <section>
            <h2>Running</h2>
            <table><thead><tr><th>job</th><th>worker</th><th>attempt</th><th>running for</th><th>heartbeat</th><th>progress</th></tr></thead>
            <tbody id="running">\(view.map { $0.status.running.map(runningRow).joined() } ?? "")</tbody></table>
            </section>
            <section>
            <h2>Recent failures</h2>
            <ul id="failures">\(view.map { $0.status.recentFailures.map(failureItem).joined() } ?? "")</ul>
            </section>
            <section>
            <h2>Finished last</h2>
            <table><thead><tr><th>job</th><th>item</th><th>images</th><th>size</th><th>upload</th><th>finished</th></tr></thead>
            <tbody id="finished">\(view.map { view in view.finished.map { finishedRow($0, view) }.joined() } ?? "")</tbody></table>
            </section>
            <script nonce="\(nonce)">\(CampaignPageAssets.script)</script>
            </body>
            </html>

            """
    }

    /// One box per state; "-" while the queue cannot be read.
    private static func countsHTML(_ counts: QueueStatus.Counts?) -> String {
        let waiting = (counts?.waiting ?? 0) > 0 ? "\(counts?.waiting ?? 0) waiting to retry" : ""
        return [
            ("pending", counts?.pending, waiting), ("running", counts?.running, ""), ("done", counts?.done, ""),
            ("failed", counts?.failed, ""), ("total", counts?.total, ""),
        ].map { name, number, note in
            "<div class=\"count \(name)\"><span class=\"number\" id=\"count-\(name)\">\(number.map(String.init) ?? "-")</span>"
                + "<span class=\"label\">\(name)</span><span class=\"note\" id=\"note-\(name)\">\(note)</span></div>"
        }.joined()
    }

    private static func runningRow(_ job: QueueStatus.RunningJob) -> String {
        var progress = "not reported yet"
        if let reported = job.progress {
            progress = MarkupText.escape(reported.summary)
            if reported.listingComplete && reported.listed > 0 {
                progress =
                    "<progress max=\"\(reported.listed)\" value=\"\(min(reported.images, reported.listed))\"></progress> "
                    + progress
            }
        }
        return "<tr><td>\(MarkupText.escape(job.label))</td>"
            + "<td>\(MarkupText.escape(job.worker)) on \(MarkupText.escape(job.host))</td><td>\(job.attempt)</td>"
            + "<td>\(ByteFormat.duration(seconds: job.runningSeconds))</td><td>\(MarkupText.escape(job.heartbeat))</td><td>\(progress)</td></tr>"
    }

    private static func failureItem(_ failure: QueueStatus.Failure) -> String {
        "<li><span class=\"job\">\(MarkupText.escape(failure.label))</span> "
            + "<span class=\"when\">\(MarkupText.escape(failure.outcome))</span><p class=\"sentence\">\(MarkupText.escape(failure.error))</p></li>"
    }

    private static func finishedRow(_ job: FinishedJob, _ view: CampaignView) -> String {
        let upload = job.verified ? "uploaded, verified" : job.uploaded ? "uploaded" : "not uploaded"
        return "<tr><td>\(MarkupText.escape(job.label))</td>"
            + "<td><a href=\"\(MarkupText.escape(view.detailsURL(job.identifier)))\" rel=\"noopener noreferrer\">\(MarkupText.escape(job.identifier))</a></td>"
            + "<td>\(ByteFormat.grouped(Int(job.images)))</td><td>\(ByteFormat.size(job.bytes))</td><td>\(upload)</td>"
            + "<td>\(ByteFormat.duration(seconds: job.secondsAgo)) ago</td></tr>"
    }
}
