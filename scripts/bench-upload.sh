#!/usr/bin/env bash
# Upload throughput on loopback: `mapillary-archiver upload` against plain `curl -T` of the same files to the
# same sandbox (IAS3 half), with the uploader's peak RSS.
#
#   scripts/bench-upload.sh                 # 4 files x 512 MB (2 GB): multipart, default 64 MiB parts
#   FILES=1 SIZE_MB=2048 scripts/bench-upload.sh
#   FILES=8 SIZE_MB=200 scripts/bench-upload.sh   # below the 256 MiB threshold: one PUT per file
#   MANIFEST=1 scripts/bench-upload.sh      # whole-file MD5s known from .mapillary-archiver/manifest.json (as
#                                           # after `package`/`download`): single PUTs need no hashing, parts
#                                           # still need their own MD5 for Content-MD5
#   REPEAT=5 PORT=47300                     # runs, sandbox port (default 0: any free port)
#   UPLOAD_ARGS="--multipart-threshold 100000"    # extra `upload` options (here: one PUT per file)
#
# curl and the uploader take turns on the same sandbox; each run's objects are deleted before the next
# upload, so both write into the same (already touched) memory. Other work on the machine skews the numbers:
# run it on a quiet machine.
#
# Needs a release build (`swift build -c release`), curl, python3 and /usr/bin/time. Uses
# `mapillary-archiver sandbox --port P --env-file F` (F gives IA_S3_URL, IA_ARCHIVE_URL and the sandbox keys)
# and `mapillary-archiver upload ITEM --s3-url … --archive-url …`.
set -euo pipefail

BIN=${BIN:-.build/release/mapillary-archiver}
FILES=${FILES:-4}
SIZE_MB=${SIZE_MB:-512}
PORT=${PORT:-0}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-upload-XXXXXX")
# The sandbox keeps what it receives in RAM (tmpfs) when it can, so disk writeback does not blur the numbers.
SANDBOX_DIR=$(mktemp -d "${SANDBOX_TMP:-$( [ -d /dev/shm ] && echo /dev/shm || echo "$WORK")}/bench-sandbox-XXXXXX")
SANDBOX_PID=
cleanup() {
    if [ -n "$SANDBOX_PID" ]; then kill "$SANDBOX_PID" 2>/dev/null || true; wait "$SANDBOX_PID" 2>/dev/null || true; fi
    rm -rf "$WORK" "$SANDBOX_DIR"
}
trap cleanup EXIT

[ -x "$BIN" ] || { echo "build first: swift build -c release (no $BIN)" >&2; exit 2; }
for tool in curl python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 2; }
done

TMPDIR="$SANDBOX_DIR" "$BIN" sandbox --port "$PORT" --users bench:1 --data-dir "$SANDBOX_DIR/data" \
    --env-file "$WORK/sandbox.env" > "$WORK/banner.txt" 2>&1 &
SANDBOX_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/sandbox.env" ] && break; sleep 0.1; done
[ -s "$WORK/sandbox.env" ] || { cat "$WORK/banner.txt" >&2; exit 1; }
# shellcheck disable=SC1091
. "$WORK/sandbox.env"
: "${IA_S3_URL:?the sandbox has no IA_S3_URL: its Internet Archive half is off}"

# Source files live in RAM too (this VM's memory reclaim drops page cache between runs otherwise).
SOURCE="$SANDBOX_DIR/source"
mkdir -p "$SOURCE"
echo "writing $FILES x $SIZE_MB MB of random data…"
for i in $(seq 1 "$FILES"); do
    head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom > "$SOURCE/part-$i.bin"
done
TOTAL=$(du -cb "$SOURCE"/*.bin | tail -1 | cut -f1)
cat "$SOURCE"/*.bin > /dev/null   # every run reads from the page cache

# A fresh item per run (hard links: same bytes, same page cache, no journal).
make_item() {
    local item="$SANDBOX_DIR/items/$1"
    mkdir -p "$item"
    ln "$SOURCE"/*.bin "$item/"
    if [ "${MANIFEST:-0}" = 1 ]; then
        python3 - "$item" <<'PY'
import hashlib, json, os, sys
item = sys.argv[1]
files = []
for name in sorted(os.listdir(item)):
    path = os.path.join(item, name)
    if name.startswith(".") or not os.path.isfile(path):
        continue
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    st = os.lstat(path)
    files.append({"name": name, "size": st.st_size, "mtime": st.st_mtime_ns, "md5": h.hexdigest()})
os.makedirs(os.path.join(item, ".mapillary-archiver"), exist_ok=True)
with open(os.path.join(item, ".mapillary-archiver", "manifest.json"), "w") as f:
    json.dump({"format": 1, "files": files}, f)
PY
    fi
    echo "$item"
}

now() { date +%s.%N; }
AUTH="Authorization: LOW $IA_ACCESS_KEY_ID:$IA_SECRET_ACCESS_KEY"
export SOURCE AUTH IA_S3_URL
curl_upload() {   # curl_upload IDENTIFIER: every source file, one plain `curl -T` each
    for f in "$SOURCE"/*.bin; do
        curl -sS -f -o /dev/null -T "$f" -H "$AUTH" -H "x-archive-auto-make-bucket: 1" "$IA_S3_URL/$1/$(basename "$f")"
    done
}
forget() {        # forget IDENTIFIER: delete the sandbox's copies, so the next run writes into the same memory
    for f in "$SOURCE"/*.bin; do
        curl -sS -f -o /dev/null -X DELETE -H "$AUTH" "$IA_S3_URL/$1/$(basename "$f")"
    done
}
curl_upload bench-warm-up && forget bench-warm-up   # first touch of the memory both runs write into

REPEAT=${REPEAT:-3}
best_ours=999999; best_curl=999999; rss=0
for run in $(seq 1 "$REPEAT"); do
    item=$(make_item "bench-upload-item-$run")
    start=$(now)
    /usr/bin/time -f "%U %S" -o "$WORK/curl-time.txt" bash -c "$(declare -f curl_upload); curl_upload bench-curl-item-$run"
    theirs=$(python3 -c "print($(now) - $start)")
    curl_cpu=$(awk '{print $1 + $2}' "$WORK/curl-time.txt")
    forget "bench-curl-item-$run"
    start=$(now)
    # shellcheck disable=SC2086
    /usr/bin/time -v -o "$WORK/time.txt" "$BIN" upload "$item" --s3-url "$IA_S3_URL" --archive-url "$IA_ARCHIVE_URL" \
        ${UPLOAD_ARGS:-} \
        > "$WORK/upload-$run.log" 2>&1 || { cat "$WORK/upload-$run.log" >&2; exit 1; }
    ours=$(python3 -c "print($(now) - $start)")
    forget "bench-upload-item-$run"
    run_rss=$(grep 'Maximum resident set size' "$WORK/time.txt" | awk '{print $NF}')
    cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u + s}' "$WORK/time.txt")
    printf 'run %d: upload %.2f s (%.1f s CPU), curl -T %.2f s (%.1f s CPU)\n' "$run" "$ours" "$cpu" "$theirs" "$curl_cpu"
    best_ours=$(python3 -c "print(min($best_ours, $ours))")
    best_curl=$(python3 -c "print(min($best_curl, $theirs))")
    rss=$(( run_rss > rss ? run_rss : rss ))
done

sandbox_rss=$(awk '/VmHWM/ {print $2}' "/proc/$SANDBOX_PID/status" 2>/dev/null || echo 0)
python3 - "$TOTAL" "$best_ours" "$best_curl" "$rss" "${sandbox_rss:-0}" <<'PY'
import sys
total, ours, theirs, rss = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
sandbox_rss = int(sys.argv[5])
mb = total / 1e6
print(f"item: {mb:.0f} MB (best of the runs)")
print(f"mapillary-archiver upload: {ours:6.2f} s  {mb / ours:7.1f} MB/s  (hashing, upload, verification)")
print(f"curl -T:                   {theirs:6.2f} s  {mb / theirs:7.1f} MB/s")
print(f"ratio (ours / curl): {theirs / ours:.2f}")
print(f"uploader peak RSS: {rss / 1024:.1f} MB; sandbox peak RSS: {sandbox_rss / 1024:.1f} MB")
PY
