#!/usr/bin/env python3
"""End-to-end benchmark of `mapillary-archiver download` (and `upload`) against the limits measured in the same
run on the same data. Run it through scripts/bench.sh (which builds first); docs/benchmarks.md explains the numbers.

For every scenario: a sandbox is started (its image cache in /dev/shm, warmed before anything is timed), the
scenario's URLs are listed through the sandbox's Graph API with its token, and then, in interleaved rounds:
  - the network limit: the same URLs fetched by one `curl --parallel --parallel-max N`, bodies discarded;
  - the CPU limit: the same JPEGs transcoded in-process by `imaging-bench transcode` (no I/O), total CPU / cores;
  - `mapillary-archiver download` under /usr/bin/time -v, into a fresh output and cache folder on disk.
Each result is printed as a ratio to its limit; medians over the rounds (min/median/max shows the noise).
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

CORES = os.cpu_count() or 1
SMOKE = False


def log(message):
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------------
# Scenarios

class Config:
    """One way of running `download` inside a scenario (default flags, or a fixed --concurrency)."""

    def __init__(self, name, concurrency=None, jobs=None):
        self.name = name
        self.concurrency = concurrency
        self.jobs = jobs


class Scenario:
    def __init__(self, key, title, count, quality, webp=True, latency=0, corpus="generated", size="2048x1536",
                 configs=None, limit_concurrency=(16,), target=None, users=1):
        self.key = key
        self.title = title
        # Images in all; with several users, `count` is spread evenly over them.
        self.count = count
        self.users = users
        self.quality = quality
        self.webp = webp
        self.latency = latency
        self.corpus = corpus
        self.size = size
        self.configs = configs or [Config("default")]
        self.limit_concurrency = list(limit_concurrency)
        self.target = target


def scenarios(smoke):
    fixed = [8, 16, 32, 64, 128]
    if smoke:
        return [
            Scenario("a", "a: originals, WebP, 0 ms", 6, "original", size="640x480", target="cpu"),
            Scenario("b", "b: originals, --no-webp, 0 ms", 6, "original", webp=False, size="640x480", target="net"),
            Scenario("c", "c: 1024, WebP, latency", 24, "1024", latency=5, size="1024x768", target="best-fixed",
                     configs=[Config("default"), Config("c8", 8)], limit_concurrency=[16, 8]),
            Scenario("d1k", "d: 256, memory (small)", 20, "256", size="640x480", target="rss"),
            Scenario("d10k", "d: 256, memory (large)", 40, "256", size="640x480", target="rss"),
            Scenario("f", "f: many small users, --no-webp, latency", 40, "256", webp=False, latency=5, size="640x480",
                     users=8, target="jobs", configs=[Config("jobs1", jobs=1), Config("default")],
                     limit_concurrency=[16, 64]),
        ]
    return [
        Scenario("a-photos", "a: 500 originals (real 2560x1600 photos), WebP, 0 ms", 500, "original",
                 corpus="photos", target="cpu"),
        Scenario("a-gen", "a: 500 originals (generated 2048x1536), WebP, 0 ms", 500, "original", target="cpu"),
        Scenario("b-photos", "b: 500 originals (real photos), --no-webp, 0 ms", 500, "original", webp=False,
                 corpus="photos", target="net"),
        Scenario("b-gen", "b: 500 originals (generated), --no-webp, 0 ms", 500, "original", webp=False,
                 target="net"),
        Scenario("c", "c: 2,000 at 1024, WebP, 80 ms per request", 2000, "1024", latency=80, target="best-fixed",
                 configs=[Config("default")] + [Config(f"c{n}", n) for n in fixed], limit_concurrency=fixed),
        Scenario("c-nowebp", "c': 2,000 at 1024, --no-webp, 80 ms per request", 2000, "1024", webp=False,
                 latency=80, target="best-fixed",
                 configs=[Config("default")] + [Config(f"c{n}", n) for n in fixed], limit_concurrency=fixed),
        Scenario("d1k", "d: 1,000 at 256, WebP (memory)", 1000, "256", target="rss"),
        Scenario("d10k", "d: 10,000 at 256, WebP (memory)", 10000, "256", target="rss"),
        Scenario("f", "f: 200 users of 5 images at 256, --no-webp, 80 ms per request", 1000, "256", webp=False,
                 latency=80, users=200, target="jobs",
                 configs=[Config("jobs1", jobs=1)] + [Config(f"j{n}", jobs=n) for n in (4, 16, 32)]
                 + [Config("default")],
                 limit_concurrency=[16, 64, 128]),
    ]


# ---------------------------------------------------------------------------------------------------------------
# Processes and measurements

class CPUMeter:
    """Share of the machine's CPU time used by everything else (other builds, other helpers) while a run lasts."""

    @staticmethod
    def busy():
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields[:8]) - idle, sum(fields[:8])

    def __init__(self):
        self.start = self.busy()

    def others(self, ours_seconds):
        busy, total = self.busy()
        tick = os.sysconf("SC_CLK_TCK")
        busy_s = (busy - self.start[0]) / tick
        total_s = (total - self.start[1]) / tick
        return max(0.0, (busy_s - ours_seconds) / total_s) if total_s > 0 else 0.0


def process_cpu(pid):
    """User + system seconds of a live process (and its waited-for children)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        return sum(int(x) for x in parts[11:15]) / tick
    except OSError:
        return 0.0


def timed(command, env=None, cwd=None, log_path=None):
    """Runs `command` under /usr/bin/time -v; returns wall, CPU seconds, peak RSS (MB), exit status, others' share."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        out = open(log_path, "w") if log_path else subprocess.DEVNULL
        meter = CPUMeter()
        start = time.monotonic()
        status = subprocess.call(["/usr/bin/time", "-v", "-o", report.name] + command, env=env, cwd=cwd,
                                 stdout=out, stderr=subprocess.STDOUT)
        wall = time.monotonic() - start
        if log_path:
            out.close()
        text = report.read()
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", text).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", text).group(1))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    cpu = user + system
    return {"wall": wall, "cpu": cpu, "rss_mb": rss_kb / 1024, "status": status, "others": meter.others(cpu)}


class Sandbox:
    """`mapillary-archiver sandbox` in the background, its data in RAM."""

    def __init__(self, binary, work, scenario, photos):
        self.dir = tempfile.mkdtemp(prefix="bench-sandbox-", dir="/dev/shm" if os.path.isdir("/dev/shm") else work)
        env_file = os.path.join(self.dir, "sandbox.env")
        command = [binary, "sandbox", "--users", ",".join(f"{u}:{n}" for u, n in user_counts(scenario)),
                   "--data-dir", self.dir + "/data",
                   "--env-file", env_file, "--latency-ms", str(scenario.latency), "--original-size", scenario.size]
        if scenario.corpus == "photos":
            command += ["--images-from", photos]
        self.log = open(os.path.join(work, f"sandbox-{scenario.key}.log"), "w")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT,
                                        env=dict(os.environ, TMPDIR=self.dir))
        for _ in range(200):
            if os.path.exists(env_file) and os.path.getsize(env_file) > 0:
                break
            if self.process.poll() is not None:
                raise SystemExit(f"the sandbox stopped at once; see {self.log.name}")
            time.sleep(0.05)
        self.env = {}
        with open(env_file) as f:
            for line in f:
                m = re.match(r"export (\w+)='(.*)'$", line.strip())
                if m:
                    self.env[m.group(1)] = m.group(2)

    def cpu(self):
        return process_cpu(self.process.pid)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def user_counts(scenario):
    """(username, images) of a scenario: one user `bench`, or `count` images spread over `users` users."""
    if getattr(scenario, "user_list", None):
        return scenario.user_list
    if scenario.users == 1:
        return [("bench", scenario.count)]
    return [(f"bench{index:04d}", scenario.count // scenario.users + (1 if index < scenario.count % scenario.users else 0))
            for index in range(scenario.users)]


def api_url(sandbox, user, quality):
    """The first listing page of `user`, as `download` asks for it (the network limit of many small users)."""
    query = urllib.parse.urlencode({"creator_username": user, "fields": f"id,thumb_{quality}_url", "limit": 2000})
    return sandbox.env["MAPILLARY_API_URL"] + "/images?" + query


def list_urls(sandbox, user, quality):
    """The user's CDN URLs, paged through the Graph API with the sandbox's token (as `download` lists them)."""
    field = f"thumb_{quality}_url"
    query = urllib.parse.urlencode({"creator_username": user, "fields": "id," + field, "limit": 2000})
    url = sandbox.env["MAPILLARY_API_URL"] + "/images?" + query
    urls = []
    while url:
        request = urllib.request.Request(url, headers={"Authorization": "OAuth " + sandbox.env["MAPILLARY_TOKEN"]})
        with urllib.request.urlopen(request, timeout=120) as response:
            page = json.load(response)
        urls += [record[field] for record in page.get("data", []) if field in record]
        url = page.get("paging", {}).get("next")
    return urls


def curl_config(urls, path, save_dir=None, token=None):
    """A curl config fetching `urls`; `token` (the API's) goes only with URLs of the API."""
    with open(path, "w") as f:
        for index, url in enumerate(urls):
            target = os.path.join(save_dir, f"{index}.jpg") if save_dir else "/dev/null"
            f.write(f'url = "{url}"\noutput = "{target}"\n')
            if token and "/images?" in url:
                f.write(f'header = "Authorization: OAuth {token}"\n')


def curl_fetch(config_path, concurrency):
    """One `curl --parallel` over the listed URLs; wall seconds and CPU (curl and sandbox are separate)."""
    command = ["curl", "--silent", "--show-error", "--fail", "--parallel", "--parallel-immediate",
               "--parallel-max", str(concurrency), "--config", config_path]
    return timed(command)


def warm_and_collect(urls, work, key):
    """Fetches every URL once (the sandbox generates and caches its images), keeping the bodies for the CPU limit.
    Returns the list of files to transcode (identical bodies share one file) and the total bytes."""
    bodies = os.path.join(work, f"bodies-{key}")
    os.makedirs(bodies, exist_ok=True)
    config = os.path.join(work, f"warm-{key}.curl")
    curl_config(urls, config, bodies)
    result = curl_fetch(config, 16)
    if result["status"] != 0:
        raise SystemExit(f"warming the sandbox failed (curl exit {result['status']})")
    seen = {}
    listing = []
    total = 0
    for index in range(len(urls)):
        path = os.path.join(bodies, f"{index}.jpg")
        with open(path, "rb") as f:
            data = f.read()
        total += len(data)
        digest = hashlib.md5(data).hexdigest()
        if digest in seen:
            os.unlink(path)
            listing.append(seen[digest])
        else:
            seen[digest] = path
            listing.append(path)
    list_path = os.path.join(work, f"transcode-{key}.list")
    with open(list_path, "w") as f:
        f.write("\n".join(listing) + "\n")
    return list_path, total


def cpu_limit(bench_binary, list_path, scenario):
    command = [bench_binary, "transcode", "--threads", str(CORES), "--list", list_path]
    if not scenario.webp:
        command.append("--no-webp")
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    if result.get("failures", 0):
        raise SystemExit(f"imaging-bench could not transcode {result['failures']} of the {scenario.key} images: "
                         "the CPU limit would mean nothing")
    return result


def download(binary, sandbox, scenario, config, work, run):
    out = os.path.join(work, "out")
    cache = os.path.join(work, "cache")
    for folder in (out, cache):
        shutil.rmtree(folder, ignore_errors=True)
    users_file = os.path.join(work, "users.txt")
    with open(users_file, "w") as f:
        f.write("\n".join(user for user, _ in user_counts(scenario)) + "\n")
    command = [binary, "download", "--users-file", users_file, "--output", out, "--cache-dir", cache,
               "--quality", scenario.quality, "--no-check-ia", "--quiet"]
    if not scenario.webp:
        command.append("--no-webp")
    if config.concurrency:
        command += ["--concurrency", str(config.concurrency)]
    if config.jobs:
        command += ["--jobs", str(config.jobs)]
    env = dict(os.environ)
    env.update(sandbox.env)
    log_path = os.path.join(work, f"download-{scenario.key}-{config.name}-{run}.log")
    sandbox_before = sandbox.cpu()
    result = timed(command, env=env, log_path=log_path)
    result["sandbox_cpu"] = sandbox.cpu() - sandbox_before
    result["others"] = max(0.0, result["others"] - result["sandbox_cpu"] / (result["wall"] * CORES))
    if result["status"] != 0:
        with open(log_path) as f:
            tail = f.read()[-2000:]
        raise SystemExit(f"download failed in {scenario.key}/{config.name} (exit {result['status']}):\n{tail}")
    for user, _ in user_counts(scenario):
        item = os.path.join(out, f"mapillary-{user}-" + scenario.quality + ("-webp" if scenario.webp else ""))
        if not os.path.isdir(item):
            raise SystemExit(f"download in {scenario.key}/{config.name} published no item at {item}")
    for folder in (out, cache):
        shutil.rmtree(folder, ignore_errors=True)
    return result


# ---------------------------------------------------------------------------------------------------------------
# One scenario

def spread(values):
    """min/median/max as text."""
    return f"{min(values):.1f}/{statistics.median(values):.1f}/{max(values):.1f}"


def run_scenario(scenario, args, work):
    log(f"== {scenario.title}")
    sandbox = Sandbox(args.binary, work, scenario, args.photos)
    try:
        urls = [url for user, _ in user_counts(scenario) for url in list_urls(sandbox, user, scenario.quality)]
        if len(urls) != scenario.count:
            raise SystemExit(f"the sandbox listed {len(urls)} URLs for {scenario.key}, expected {scenario.count}")
        list_path, total_bytes = warm_and_collect(urls, work, scenario.key)
        net_config = os.path.join(work, f"net-{scenario.key}.curl")
        # With several users the network limit includes each user's listing page: requests download must make.
        pages = [api_url(sandbox, user, scenario.quality) for user, _ in user_counts(scenario)] if scenario.users > 1 else []
        curl_config(pages + urls, net_config, token=sandbox.env["MAPILLARY_TOKEN"])
        net = {n: [] for n in scenario.limit_concurrency}
        cpu = []
        runs = {c.name: [] for c in scenario.configs}
        for round_number in range(args.runs):
            for n in scenario.limit_concurrency:
                result = curl_fetch(net_config, n)
                if result["status"] != 0:
                    raise SystemExit(f"curl failed in {scenario.key} (exit {result['status']})")
                net[n].append(scenario.count / result["wall"])
            cpu.append(cpu_limit(args.bench_binary, list_path, scenario)["limit_images_per_s"])
            for config in scenario.configs:
                result = download(args.binary, sandbox, scenario, config, work, round_number)
                runs[config.name].append(result)
                log(f"   round {round_number + 1} {config.name}: {scenario.count / result['wall']:.1f} img/s, "
                    f"{result['cpu'] / scenario.count * 1000:.1f} ms CPU/img, {result['rss_mb']:.0f} MB, "
                    f"others used {result['others'] * 100:.0f}% of the machine")
    finally:
        sandbox.stop()
        shutil.rmtree(os.path.join(work, f"bodies-{scenario.key}"), ignore_errors=True)
    return summarize(scenario, runs, net, cpu, total_bytes)


def summarize(scenario, runs, net, cpu, total_bytes):
    cpu_limit_ips = statistics.median(cpu)
    rows = []
    for config in scenario.configs:
        results = runs[config.name]
        ips = [scenario.count / r["wall"] for r in results]
        n = config.concurrency or 16
        if scenario.target == "jobs":
            # Many users: the network limit is the best curl managed at any of the measured concurrencies.
            n = max(net, key=lambda k: statistics.median(net[k]))
        net_values = net.get(n) or net[scenario.limit_concurrency[0]]
        net_ips = statistics.median(net_values)
        rows.append({
            "scenario": scenario.key, "config": config.name, "images": scenario.count,
            "ips": statistics.median(ips), "ips_spread": spread(ips),
            "mbps": statistics.median([total_bytes / r["wall"] / 1e6 for r in results]),
            "cpu_ms": statistics.median([r["cpu"] / scenario.count * 1000 for r in results]),
            "rss_mb": max(r["rss_mb"] for r in results),
            "others": statistics.median([r["others"] for r in results]),
            "net_ips": net_ips, "net_n": n, "net_spread": spread(net_values),
            "cpu_ips": cpu_limit_ips, "cpu_spread": spread(cpu),
        })
    for row in rows:
        row["vs_net"] = row["ips"] / row["net_ips"]
        row["vs_cpu"] = row["ips"] / row["cpu_ips"]
        # The CPU limit counts CPU time, which other processes on the machine do not take away; a run's wall
        # time does suffer from them. "x CPU avail" compares with the share of the machine that was left.
        row["vs_cpu_avail"] = row["vs_cpu"] / max(0.05, 1 - row["others"])
    if scenario.target == "best-fixed":
        # Judged only when both sides ran (--configs may have left out the default or every fixed one).
        default = next((r for r in rows if r["config"] == "default"), None)
        fixed = [r for r in rows if r["config"] != "default"]
        if default and fixed:
            best = max(fixed, key=lambda r: r["ips"])
            for row in rows:
                row["vs_best"] = row["ips"] / best["ips"]
            default["verdict"] = f"default = {default['vs_best']:.2f} x best fixed ({best['config']}); target >= 0.80"
    elif scenario.target == "cpu":
        rows[0]["verdict"] = (f"{rows[0]['vs_cpu']:.2f} x CPU limit ({rows[0]['vs_cpu_avail']:.2f} x the CPU "
                              f"other processes left); target >= 0.90")
    elif scenario.target == "jobs":
        serial = next((r for r in rows if r["config"] == "jobs1"), None)
        default = next((r for r in rows if r["config"] == "default"), None)
        if serial and default:
            ratio = serial["ips"] / default["ips"]
            default["verdict"] = (f"default takes {ratio:.2f} x the time of --jobs 1 (target <= 0.25); "
                                  f"{default['vs_net']:.2f} x network limit ({default['net_ips']:.1f} img/s at "
                                  f"curl --parallel-max {default['net_n']})")
    elif scenario.target == "net":
        rows[0]["verdict"] = f"{rows[0]['vs_net']:.2f} x network limit; target >= 0.85"
    return rows


def print_table(rows):
    header = ["scenario", "config", "img/s (min/med/max)", "MB/s", "CPU ms/img", "peak RSS", "net limit (N)",
              "x net", "CPU limit", "x CPU", "others", "x CPU avail"]
    lines = [header]
    for r in rows:
        lines.append([r["scenario"], r["config"], f"{r['ips']:.1f} ({r['ips_spread']})", f"{r['mbps']:.1f}",
                      f"{r['cpu_ms']:.1f}", f"{r['rss_mb']:.0f} MB", f"{r['net_ips']:.1f} ({r['net_n']})",
                      f"{r['vs_net']:.2f}", f"{r['cpu_ips']:.1f}", f"{r['vs_cpu']:.2f}", f"{r['others'] * 100:.0f}%",
                      f"{r['vs_cpu_avail']:.2f}"])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
    for r in rows:
        if "verdict" in r:
            print(f"  {r['scenario']}: {r['verdict']}" + (" (smoke run: not judged)" if SMOKE else ""))


def memory_verdict(rows):
    small = next((r for r in rows if r["scenario"].startswith("d") and r["scenario"].endswith("1k")), None)
    large = next((r for r in rows if r["scenario"].startswith("d") and r["scenario"].endswith("10k")), None)
    if small and large:
        growth = large["rss_mb"] / small["rss_mb"] - 1
        print(f"  d: peak RSS {small['rss_mb']:.0f} MB ({small['images']} images) -> {large['rss_mb']:.0f} MB "
              f"({large['images']} images): {growth * 100:+.1f}%; targets <= 200 MB and within 10%")


# ---------------------------------------------------------------------------------------------------------------
# Upload (scenario e): scripts/bench-upload.sh does the work

def run_upload(args, work):
    log("== e: item upload against curl -T")
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench-upload.sh")
    env = dict(os.environ, BIN=args.binary, REPEAT=str(args.runs),
               FILES=str(1 if args.smoke else 4), SIZE_MB=str(4 if args.smoke else 512))
    result = subprocess.run(["bash", script], env=env, capture_output=True, text=True)
    with open(os.path.join(work, "upload.log"), "w") as f:
        f.write(result.stdout + result.stderr)
    if result.returncode != 0:
        raise SystemExit("scripts/bench-upload.sh failed:\n" + (result.stdout + result.stderr)[-2000:])
    ours, theirs = [], []
    for m in re.finditer(r"run \d+: upload ([\d.]+) s \(([\d.]+) s CPU\), curl -T ([\d.]+) s", result.stdout):
        ours.append(float(m.group(1)))
        theirs.append(float(m.group(3)))
    size = re.search(r"item: (\d+) MB", result.stdout)
    rss = re.search(r"uploader peak RSS: ([\d.]+) MB", result.stdout)
    mb = float(size.group(1)) if size else 0
    ratios = [t / o for o, t in zip(ours, theirs)]
    print(f"e  upload {mb:.0f} MB: ours {mb / statistics.median(ours):.1f} MB/s (s: {spread(ours)}), "
          f"curl -T {mb / statistics.median(theirs):.1f} MB/s (s: {spread(theirs)}), "
          f"ratio per run (min/med/max) {min(ratios):.2f}/{statistics.median(ratios):.2f}/{max(ratios):.2f}, "
          f"peak RSS {rss.group(1) if rss else '?'} MB; target >= 0.90")


# ---------------------------------------------------------------------------------------------------------------
# The campaign queue (scenario q): queue-bench on SQLite and on a throwaway PostgreSQL (fsync on)

def run_queue(args, work):
    log("== q: campaign queue, claim-and-complete with empty work")
    jobs = 200 if args.smoke else 10000
    scripts = os.path.dirname(os.path.abspath(__file__))
    command = [os.path.join(scripts, "throwaway-postgres.sh"), "run", "sh", "-c",
               '"$0" --jobs "$1" --workers 1,4 --sqlite "$2" --postgres "$MAPILLARY_ARCHIVER_TEST_POSTGRES"',
               args.queue_bench_binary, str(jobs), work]
    result = subprocess.run(command, env=dict(os.environ, DURABLE="1"), capture_output=True, text=True)
    with open(os.path.join(work, "queue.log"), "w") as f:
        f.write(result.stdout + result.stderr)
    if result.returncode != 0:
        raise SystemExit("queue-bench failed:\n" + (result.stdout + result.stderr)[-2000:])
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    print("\nq  queue: %d jobs claimed and completed (empty work); target >= 500 jobs/s" % jobs)
    print("backend   workers  jobs/s  claim ms (median/p99)  complete ms (median/p99)  add s")
    for r in rows:
        claim = f"{r['claim_ms_median']:.2f}/{r['claim_ms_p99']:.2f}"
        complete = f"{r['complete_ms_median']:.2f}/{r['complete_ms_p99']:.2f}"
        print(f"{r['backend']:<9} {r['workers']:<8} {r['jobs_per_second']:<7.0f} {claim:<22} {complete:<25} "
              f"{r['add_seconds']:.2f}")
    for backend in sorted({r["backend"] for r in rows}):
        best = max(r["jobs_per_second"] for r in rows if r["backend"] == backend)
        verdict = "ok" if best >= 500 else "BELOW TARGET"
        print(f"  q {backend}: best {best:.0f} jobs/s: {verdict}" + (" (smoke run: not judged)" if SMOKE else ""))


# ---------------------------------------------------------------------------------------------------------------
# The campaign worker's memory (scenario w): one worker, --jobs 8, over 60 mixed users, with --upload

def rss_mb(pid):
    """Resident set size of a live process in MB (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_worker(args, work):
    log("== w: campaign worker memory, --jobs 8 over 60 mixed users (12 in a smoke run), --upload")
    # Three large users spread over the queue (first, middle, last), the rest small: each third of the run holds a
    # large one, so the peak of the last third against the first shows whether memory grows with the jobs done.
    count, big = (12, 30) if args.smoke else (60, 400)
    users = [(f"w{index:02d}", big if index in (0, count // 2 - 1, count - 1) else 3 + index % 7)
             for index in range(count)]
    scenario = Scenario("w", "w", sum(n for _, n in users), "256", latency=20, size="1024x768")
    scenario.user_list = users
    sandbox = Sandbox(args.binary, work, scenario, args.photos)
    queue = os.path.join(work, "worker-queue.sqlite")
    report = os.path.join(work, "worker-report.jsonl")
    env = dict(os.environ)
    env.update(sandbox.env)
    try:
        for path in (queue, report):
            if os.path.exists(path):
                os.remove(path)
        add = subprocess.run([args.binary, "queue", "add", "--queue", queue, "--quality", "256"]
                             + [user for user, _ in users], env=env, capture_output=True, text=True)
        if add.returncode != 0:
            raise SystemExit("queue add failed:\n" + add.stdout + add.stderr)
        command = [args.binary, "worker", "--queue", queue, "--jobs", "8", "--until-empty", "--upload", "--quiet",
                   "--output", os.path.join(work, "worker-out"), "--cache-dir", os.path.join(work, "worker-cache"),
                   "--report", report]
        log_file = open(os.path.join(work, "worker.log"), "w")
        start = time.monotonic()
        process = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        samples = []   # (jobs done, RSS MB)
        while process.poll() is None:
            done = sum(1 for _ in open(report)) if os.path.exists(report) else 0
            samples.append((done, rss_mb(process.pid)))
            time.sleep(0.1)
        wall = time.monotonic() - start
        log_file.close()
        if process.returncode != 0:
            with open(os.path.join(work, "worker.log")) as f:
                raise SystemExit(f"the worker failed (exit {process.returncode}):\n{f.read()[-2000:]}")
    finally:
        sandbox.stop()
    with open(report) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    verified = sum(1 for line in lines if line.get("upload") == "verified")
    peak = max(rss for _, rss in samples)
    third = count // 3
    first = max((rss for done, rss in samples if done < third), default=0)
    last = max((rss for done, rss in samples if done >= count - third), default=0)
    print(f"\nw  worker --jobs 8 --upload, {count} users ({scenario.count} images, 3 of {big}): {len(lines)} jobs "
          f"reported, {verified} uploaded and verified, {wall:.1f} s")
    print(f"   peak RSS {peak:.0f} MB; while jobs 1-{third} ran {first:.0f} MB, while jobs {count - third + 1}-{count} "
          f"ran {last:.0f} MB ({(last / first - 1) * 100 if first else 0:+.0f}%); target < 300 MB and no growth with "
          f"the jobs done")
    verdict = "ok" if peak < 300 and last <= first * 1.10 and verified == count else "BELOW TARGET"
    print(f"  w: {verdict}" + (" (smoke run: not judged)" if SMOKE else ""))


# ---------------------------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="the mapillary-archiver executable")
    parser.add_argument("--bench-binary", required=True, help="the imaging-bench executable")
    parser.add_argument("--queue-bench-binary", required=True, help="the queue-bench executable")
    parser.add_argument("--photos", help="folder of real JPEGs (the photos corpus)")
    parser.add_argument("--runs", type=int, default=3, help="rounds per scenario (medians are printed)")
    parser.add_argument("--only", help="comma-separated scenario keys (a-photos,a-gen,b-photos,b-gen,c,c-nowebp,"
                                       "d1k,d10k,e,f,q,w); prefixes match (a = a-photos,a-gen)")
    parser.add_argument("--configs", help="for c: comma-separated configs to run (default,c8,c16,c32,c64,c128)")
    parser.add_argument("--count", type=int, help="images per scenario instead of the scenario's own count")
    parser.add_argument("--smoke", action="store_true", help="tiny counts, one round: checks the harness works")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    args = parser.parse_args()
    if args.smoke:
        args.runs = 1
        global SMOKE
        SMOKE = True

    chosen = scenarios(args.smoke)
    keys = [k.strip() for k in args.only.split(",")] if args.only else None
    if keys:
        chosen = [s for s in chosen if any(s.key.startswith(k) for k in keys)]
        if not chosen and not {"e", "q", "w"} & set(keys):
            raise SystemExit(f"no scenario matches --only {args.only}; the keys are in docs/benchmarks.md")
    if args.configs:
        wanted = set(args.configs.split(","))
        for s in chosen:
            s.configs = [c for c in s.configs if c.name in wanted] or s.configs
            s.limit_concurrency = sorted({c.concurrency or 16 for c in s.configs})
    if args.count:
        for s in chosen:
            s.count = args.count
    if any(s.corpus == "photos" for s in chosen) and not args.photos:
        raise SystemExit("the photos corpus needs --photos DIR (scripts/bench.sh makes one from the wallpapers)")

    work = tempfile.mkdtemp(prefix="mapillary-bench-", dir=os.environ.get("BENCH_WORK", "/tmp"))
    log(f"work folder: {work} ({CORES} cores, {args.runs} rounds per scenario)")
    rows = []
    try:
        for scenario in chosen:
            scenario_rows = run_scenario(scenario, args, work)
            rows += scenario_rows
            print_table(scenario_rows)
            sys.stdout.flush()
        if rows:
            print("\nall scenarios (medians of %d rounds; min/med/max where shown):" % args.runs)
            print_table(rows)
            memory_verdict(rows)
        if keys is None or "e" in keys:
            run_upload(args, work)
        if keys is None or "q" in keys:
            run_queue(args, work)
        if keys is None or "w" in keys:
            run_worker(args, work)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
