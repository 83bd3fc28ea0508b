/// The page's style sheet and script, inline (nothing is fetched from elsewhere), allowed by the response's nonce.
/// The script asks `/status.json` for new numbers every `data-refresh` seconds and redraws the counts, the pace,
/// the plot and the lists in place, with the wording the server uses. It builds elements with `textContent`
/// only, never markup from data.
enum CampaignPageAssets {
    static let css = """
        body{font:15px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:72em;padding:0 1em;color:#222;background:#fff}
        h1{font-size:1.6em;margin:0}h2{font-size:1.1em;margin:1.6em 0 .5em}
        #state{min-height:1.2em;margin:.2em 0;color:#666}#state.problem{color:#b00;font-weight:600}
        #counts{display:flex;flex-wrap:wrap;gap:1em;margin-top:1em}
        .count{border:1px solid #ddd;border-radius:6px;padding:.5em 1em;min-width:7em}
        .count .number{display:block;font-size:2em;font-weight:600}.count .label{display:block;color:#555}
        .count .note{display:block;color:#777;font-size:.85em;min-height:1.2em}
        .done .number{color:#176b1f}.failed .number{color:#b00}
        #throughput{width:100%;height:auto}.bar{fill:#3f6fb0}.axis{stroke:#999}.tick{font-size:12px;fill:#555}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25em .6em;border-bottom:1px solid #eee;vertical-align:top}
        th{font-weight:600;color:#555}#failures{list-style:none;padding:0}#failures li{margin:.6em 0}
        .when{color:#555}.sentence{margin:.2em 0 0 1em;color:#8a1010}progress{width:6em;vertical-align:middle}
        """

    static let script = #"""
        (function () {
          "use strict";
          var refresh = Math.max(1, Number(document.body.getAttribute("data-refresh")) || 5);
          var SVG = "http://www.w3.org/2000/svg";
          function $(id) { return document.getElementById(id); }
          function el(tag, text, cls) {
            var node = document.createElement(tag);
            if (text !== undefined) node.textContent = text;
            if (cls) node.className = cls;
            return node;
          }
          function duration(s) {
            if (!isFinite(s) || s < 0) return "?";
            var t = Math.round(s), h = Math.floor(t / 3600), m = Math.floor(t % 3600 / 60), x = t % 60;
            return h > 0 ? h + "h " + m + "m" : m > 0 ? m + "m " + x + "s" : x + "s";
          }
          function size(bytes) {
            var units = ["B", "KB", "MB", "GB", "TB", "PB"], value = bytes, unit = 0;
            while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit += 1; }
            return unit === 0 ? bytes + " B" : value.toFixed(2) + " " + units[unit];
          }
          function grouped(n) { return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
          function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
          function label(job) { return job.username + " (" + job.quality + ", " + (job.webp ? "webp" : "jpeg") + ")"; }
          function row(cells) {
            var tr = el("tr");
            cells.forEach(function (cell) {
              var td = el("td");
              if (typeof cell === "string") td.textContent = cell; else cell.forEach(function (n) { td.appendChild(n); });
              tr.appendChild(td);
            });
            return tr;
          }
          function fill(id, nodes) {
            var box = $(id);
            while (box.firstChild) box.removeChild(box.firstChild);
            nodes.forEach(function (n) { box.appendChild(n); });
          }

          function counts(d) {
            ["pending", "running", "done", "failed", "total"].forEach(function (k) { $("count-" + k).textContent = d.counts[k]; });
            $("note-pending").textContent = d.counts.waiting > 0 ? d.counts.waiting + " waiting to retry" : "";
            document.title = "Campaign: " + d.counts.running + " running, " + d.counts.done + " done, " + d.counts.failed + " failed";
          }
          function pace(d) {
            var h = d.last_hour;
            if (h.jobs === 0) { $("pace").textContent = "last hour: no job finished"; return; }
            var text = "last hour: " + plural(h.jobs, "job") + ", " + h.images + " images, " + size(h.bytes) +
              " (" + h.jobs_per_hour.toFixed(1) + " jobs/h, " + Math.round(h.images_per_hour) + " images/h, " +
              size(Math.floor(h.bytes_per_hour)) + "/h)";
            if (d.eta_seconds !== null) text += "; about " + duration(d.eta_seconds) + " left at this pace";
            $("pace").textContent = text;
          }
          function plot(d) {
            var svg = $("throughput"), bars = $("throughput-bars"), slots = d.history ? d.history.slots : [];
            var box = svg.viewBox.baseVal, height = box.height - 20, step = box.width / Math.max(1, slots.length);
            var most = Math.max(1, Math.max.apply(null, slots.map(function (s) { return s.images; }).concat([0])));
            while (bars.firstChild) bars.removeChild(bars.firstChild);
            slots.forEach(function (s, i) {
              if (s.images === 0 && s.jobs === 0) return;
              var h = Math.max(1, s.images / most * height), rect = document.createElementNS(SVG, "rect");
              rect.setAttribute("class", "bar");
              rect.setAttribute("x", (i * step + 1).toFixed(1));
              rect.setAttribute("y", (height - h).toFixed(1));
              rect.setAttribute("width", Math.max(1, step - 2).toFixed(1));
              rect.setAttribute("height", h.toFixed(1));
              var title = document.createElementNS(SVG, "title");
              title.textContent = duration(s.started_seconds_ago) + " ago: " + plural(s.jobs, "job") + ", " +
                grouped(s.images) + " images, " + size(s.bytes);
              rect.appendChild(title);
              bars.appendChild(rect);
            });
            var any = slots.some(function (s) { return s.images > 0; });
            $("throughput-most").textContent = any ? "highest: " + grouped(most) + " images" : "no image archived in this time";
          }
          function running(d) {
            fill("running", d.running.map(function (j) {
              var heartbeat = j.lease_left_seconds < 0 ? "lease ran out " + duration(-j.lease_left_seconds) + " ago (worker gone?)"
                : duration(j.heartbeat_age_seconds) + " ago";
              var progress = [document.createTextNode("not reported yet")], p = j.progress;
              if (p) {
                var summary = grouped(p.images) + " images of " + grouped(p.listed) + (p.listing_complete ? "" : " listed so far") +
                  ", " + size(p.bytes);
                progress = [document.createTextNode(summary)];
                if (p.listing_complete && p.listed > 0) {
                  var bar = el("progress");
                  bar.max = p.listed;
                  bar.value = Math.min(p.images, p.listed);
                  progress = [bar, document.createTextNode(" " + summary)];
                }
              }
              return row([label(j), j.worker + " on " + j.host, String(j.attempt), duration(j.running_seconds), heartbeat, progress]);
            }));
          }
          function failures(d) {
            fill("failures", d.recent_failures.map(function (f) {
              var when = duration(f.seconds_ago) + " ago";
              var outcome = f.state === "failed" ? "failed for good after " + plural(f.attempts, "attempt") + ", " + when
                : "attempt " + f.attempts + " failed " + when + ", next in " + duration(f.retry_in_seconds || 0);
              var item = el("li");
              item.appendChild(el("span", label(f), "job"));
              item.appendChild(document.createTextNode(" "));
              item.appendChild(el("span", outcome, "when"));
              item.appendChild(el("p", f.error, "sentence"));
              return item;
            }));
          }
          function finished(d) {
            fill("finished", d.recently_finished.map(function (j) {
              var link = el("a", j.identifier);
              link.href = j.details_url;
              link.rel = "noopener noreferrer";
              var upload = j.verified ? "uploaded, verified" : j.uploaded ? "uploaded" : "not uploaded";
              return row([label(j), [link], grouped(j.images), size(j.bytes), upload, duration(j.seconds_ago) + " ago"]);
            }));
          }
          function state(text, problem) {
            $("state").textContent = text;
            $("state").className = problem ? "problem" : "";
          }

          function load() {
            return fetch("status.json", { cache: "no-store", credentials: "same-origin" })
              .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, d: d }; }); })
              .then(function (answer) {
                if (!answer.ok) { state(answer.d.error || "the page server could not read the queue", true); return; }
                var d = answer.d;
                counts(d); pace(d); plot(d); running(d); failures(d); finished(d);
                state("updated " + new Date().toLocaleTimeString(), false);
              })
              .catch(function (e) { state("cannot reach the page server (" + e.message + "); is queue serve still running?", true); });
          }
          function tick() { load().then(function () { setTimeout(tick, refresh * 1000); }); }
          setTimeout(tick, refresh * 1000);
        })();
        """#
}
