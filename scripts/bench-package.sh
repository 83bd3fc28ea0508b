#!/bin/sh
# Benchmark: `mapillary-archiver package` of a ~2 GB folder of date folders against `tar cf` of
# the same folder. Prints both times, their ratio (target <= 1.1) and peak RSS, then cleans up.
#
#   scripts/bench-package.sh [SIZE_MB]          (default 2048)
#   PACKAGE_CMD="path/to/binary package" scripts/bench-package.sh   to time another build
#
# Both runs read from a warm page cache (the data is read once first). `package` also fsyncs
# each tar, which `tar cf` does not: the script times `tar cf` alone and `tar cf` + `sync`.
set -eu
cd "$(dirname "$0")/.."
SIZE_MB="${1:-2048}"
if [ -z "${PACKAGE_CMD:-}" ]; then
  swift build -c release --product mapillary-archiver >/dev/null
  PACKAGE_CMD="$(swift build -c release --show-bin-path)/mapillary-archiver package"
fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mapillary-archiver-bench-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT INT TERM
DATA="$WORK/mapillary-benchuser-original-webp"

echo "making ${SIZE_MB} MB of 1-5 MB files in date folders under $WORK ..."
python3 - "$DATA" "$SIZE_MB" <<'PY'
import os, random, sys
root, total = sys.argv[1], int(sys.argv[2]) << 20
rng = random.Random(42)
block = os.urandom(8 << 20)
made, n = 0, 0
while made < total:
    date = "2024-%02d-%02d" % (1 + n // 280 % 12, 1 + n // 10 % 28)
    folder = os.path.join(root, date, "seq%03d" % (n // 25))
    os.makedirs(folder, exist_ok=True)
    size = rng.randint(1 << 20, 5 << 20)
    start = rng.randint(0, len(block) - size)
    with open(os.path.join(folder, "%09d.webp" % n), "wb") as f:
        f.write(block[start:start + size])
    made += size
    n += 1
print("%d files, %.0f MB" % (n, made / 1e6))
PY
sync
tar cf /dev/null -C "$DATA" .   # warm the page cache

seconds() { python3 -c 'import time; print("%.3f" % time.monotonic())'; }
t0=$(seconds); tar cf "$WORK/all.tar" -C "$DATA" .; t1=$(seconds); sync; t2=$(seconds)
rm -f "$WORK/all.tar"; sync
TAR=$(python3 -c "print('%.2f' % ($t1 - $t0))")
TAR_SYNC=$(python3 -c "print('%.2f' % ($t2 - $t0))")

t0=$(seconds)
/usr/bin/time -v -o "$WORK/time.txt" $PACKAGE_CMD "$DATA" --output "$WORK/out" >/dev/null
t1=$(seconds)
PKG=$(python3 -c "print('%.2f' % ($t1 - $t0))")
RSS=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")

echo "tar cf:           ${TAR} s   (with sync: ${TAR_SYNC} s)"
echo "package:          ${PKG} s   (peak RSS ${RSS} KB)"
python3 -c "print('ratio package / tar cf: %.2f   / (tar cf + sync): %.2f' % ($PKG / $TAR, $PKG / $TAR_SYNC))"
