#!/bin/sh
# End-to-end benchmark of `mapillary-archiver download` and `upload` against the limits measured in the same run
# on the same data (bare curl for the network, in-process transcoding for the CPU). docs/benchmarks.md explains it.
#
#   scripts/bench.sh                      # every scenario, 3 rounds each, release build (about 45 minutes on 2 cores)
#   scripts/bench.sh --only a,b --runs 5  # some scenarios (keys: a-photos a-gen b-photos b-gen c c-nowebp d1k d10k e f q w)
#   scripts/bench.sh --only c --configs default,c16,c64
#   scripts/bench.sh --smoke              # seconds-long run on tiny data (debug build): checks the harness works
#
# Installs what it needs when missing (Debian): curl, time (/usr/bin/time -v), python3, postgresql (the queue's
# scenario q), and for the real-photo corpus plasma-workspace-wallpapers (2560x1600 photographs under
# /usr/share/wallpapers).
set -eu
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
SMOKE=0
for argument in "$@"; do [ "$argument" = "--smoke" ] && SMOKE=1; done

if [ "$SMOKE" = 1 ]; then
  CONFIG=${CONFIG:-debug}
  SCRATCH=${SCRATCH:-.build}
  scripts/install-packages.sh curl time python3 postgresql
else
  CONFIG=${CONFIG:-release}
  SCRATCH=${SCRATCH:-.build-bench}
  scripts/install-packages.sh curl time python3 postgresql plasma-workspace-wallpapers
fi

echo "building ($CONFIG, $SCRATCH)…" >&2
MAPILLARY_ARCHIVER_BENCH=1 $SWIFT build -c "$CONFIG" --scratch-path "$SCRATCH" --product mapillary-archiver >&2
MAPILLARY_ARCHIVER_BENCH=1 $SWIFT build -c "$CONFIG" --scratch-path "$SCRATCH" --product imaging-bench >&2
MAPILLARY_ARCHIVER_BENCH=1 $SWIFT build -c "$CONFIG" --scratch-path "$SCRATCH" --product queue-bench >&2
BIN_DIR=$(MAPILLARY_ARCHIVER_BENCH=1 $SWIFT build -c "$CONFIG" --scratch-path "$SCRATCH" --show-bin-path)

# The real-photo corpus: every 2560x1600 wallpaper photograph, linked into one folder for `sandbox --images-from`.
PHOTOS=$(mktemp -d "${TMPDIR:-/tmp}/bench-photos-XXXXXX")
trap 'rm -rf "$PHOTOS"' EXIT
for f in /usr/share/wallpapers/*/contents/images/2560x1600.jpg; do
  [ -f "$f" ] || continue
  name=$(echo "$f" | cut -d/ -f5)
  ln -s "$f" "$PHOTOS/$name.jpg"
done

python3 scripts/bench.py --binary "$BIN_DIR/mapillary-archiver" --bench-binary "$BIN_DIR/imaging-bench" \
  --queue-bench-binary "$BIN_DIR/queue-bench" --photos "$PHOTOS" "$@"
