#!/usr/bin/env python3
"""Loads the campaign page of `mapillary-archiver queue serve` in headless Chromium and checks what a person sees.

Usage: campaign_page.py URL FOLDER EXPECTATIONS_JSON

1. Opens URL and checks the counts, the throughput plot (an SVG with at least one bar of some height), the
   failure's sentence and the link of a finished item, as rendered, and that the browser reported no error
   (a Content-Security-Policy that blocked the page's own style or script would show there).
2. Writes FOLDER/loaded and waits for FOLDER/completed: meanwhile the test completes a job in the queue.
3. Waits until the page shows the new counts and the new finished item without being reloaded (a value set on
   the window survives only if the script updated the page in place).

Exits 0 when all holds, 1 with the reason otherwise (a screenshot is left in FOLDER/page.png). Chromium runs as
root only without its sandbox (--no-sandbox).
By hand: `mapillary-archiver queue serve --port 0 --queue Q` in one terminal, then
`python3 Tests/CLITests/Browser/campaign_page.py URL /tmp/x '{"counts": {...}, ...}'` (see CLITests'
QueueServeTests for the expectations), and `touch /tmp/x/completed` once the job is done.
"""

import json
import os
import shutil
import sys
import time


def fail(reason, driver=None, folder=None):
    if driver is not None and folder is not None:
        try:
            driver.save_screenshot(os.path.join(folder, "page.png"))
        except Exception:  # the screenshot is a help, not the verdict
            pass
    print("campaign page check failed: " + reason, file=sys.stderr)
    sys.exit(1)


def wait_until(condition, what, driver, folder, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    fail("waited %d s for %s" % (timeout, what), driver, folder)


# What the page shows, read in one script so that the page's own refresh cannot change it halfway through.
VIEW = """
function shown(node) { var box = node.getBoundingClientRect(); return box.width > 0 && box.height > 0; }
var counts = {};
["pending", "running", "done", "failed", "total"].forEach(function (k) {
  counts[k] = document.getElementById("count-" + k).innerText;
});
var plot = document.getElementById("throughput"), failures = document.getElementById("failures");
var bars = Array.prototype.slice.call(plot.querySelectorAll("rect.bar"));
return {
  counts: counts,
  plotShown: shown(plot),
  heights: bars.map(function (b) { return parseFloat(b.getAttribute("height")); }),
  titles: bars.map(function (b) { return b.textContent; }),
  failuresShown: shown(failures),
  failures: failures.innerText,
  links: Array.prototype.map.call(document.querySelectorAll("#finished a"), function (a) { return a.href; }),
  state: document.getElementById("state").innerText,
  samePage: window.stillTheSamePage === true
};
"""


def view(driver):
    return driver.execute_script(VIEW)


def shows_counts(seen, counts):
    return all(seen["counts"][state] == str(count) for state, count in counts.items())


def plotted_jobs(seen):
    """The jobs the plot's bars stand for, read from their tooltips ("5m 0s ago: 2 jobs, ...")."""
    return sum(int(title.split(": ")[1].split(" ")[0]) for title in seen["titles"])


def main():
    if len(sys.argv) != 4:
        fail("usage: campaign_page.py URL FOLDER EXPECTATIONS_JSON")
    url, folder, expected = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as error:
        fail("Selenium for Python is missing (%s): install python3-selenium (make setup-test)" % error)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if browser is None or driver_path is None:
        fail("Chromium or its driver is missing: install chromium and chromium-driver (make setup-test)")

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    # Headless, without the sandbox Chromium refuses to run as root with, /tmp instead of a small /dev/shm, and
    # none of the background work (updates, sync, extensions) that would load a machine running other tests.
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
                     "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--user-data-dir=" + os.path.join(folder, "chromium-profile"),
                     "--window-size=1200,1400"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        check(driver, url, folder, expected)
    finally:
        driver.quit()
    print("the campaign page showed the queue and followed it")


def check(driver, url, folder, expected):
    driver.get(url)
    seen = view(driver)
    if not shows_counts(seen, expected["counts"]):
        fail("the page shows the counts %r, the queue has %r" % (seen["counts"], expected["counts"]), driver, folder)
    if not seen["plotShown"] or not seen["heights"]:
        fail("the throughput plot shows no bar", driver, folder)
    if max(seen["heights"]) <= 0:
        fail("the throughput plot's bars have no height", driver, folder)
    if plotted_jobs(seen) != expected["counts"]["done"]:
        fail("the plot stands for %d jobs, %d are done" % (plotted_jobs(seen), expected["counts"]["done"]), driver, folder)
    if not seen["failuresShown"] or expected["sentence"] not in seen["failures"]:
        fail("the failure's sentence is not shown; the list reads: %r" % seen["failures"], driver, folder)
    if expected["link"] not in seen["links"]:
        fail("no link to %s among the finished items: %r" % (expected["link"], seen["links"]), driver, folder)
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    if errors:
        fail("the browser reported errors: %r" % errors, driver, folder)

    # From here the page must change in place: a reload would drop this value.
    driver.execute_script("window.stillTheSamePage = true;")
    with open(os.path.join(folder, "loaded"), "w") as marker:
        marker.write("loaded\n")
    wait_until(lambda: os.path.exists(os.path.join(folder, "completed")), "the test to complete a job", driver, folder, 300)

    after = expected["after"]
    # Generous: the page asks every 5 s, but a machine running the whole test suite can be slow to let it.
    wait_until(lambda: shows_counts(view(driver), after["counts"]), "the counts to show the job done", driver, folder, 120)
    seen = view(driver)
    if after["link"] not in seen["links"]:
        fail("the finished item is not in the list: %r" % seen["links"], driver, folder)
    if plotted_jobs(seen) != after["counts"]["done"]:
        fail("the plot stands for %d jobs, %d are done" % (plotted_jobs(seen), after["counts"]["done"]), driver, folder)
    if not seen["samePage"]:
        fail("the page was reloaded instead of updated in place", driver, folder)
    if "updated" not in seen["state"]:
        fail("the page does not say when it was updated: %r" % seen["state"], driver, folder)
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    if errors:
        fail("the browser reported errors while updating: %r" % errors, driver, folder)


if __name__ == "__main__":
    main()
