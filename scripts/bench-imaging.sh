#!/bin/sh
# Benchmarks in-process JPEG→WebP (Imaging) against `cwebp -q Q -m 4 -metadata all`: CPU seconds per image and
# output size ratio, on synthetic photo-like JPEGs (1024×768, 2048×1536, 4000×3000) and on real photos when present
# (`apt-get install plasma-workspace-wallpapers` puts real photos under /usr/share/wallpapers).
# usage: scripts/bench-imaging.sh [--count N] [--quality Q] [--sizes WxH,...] [JPEG...]
set -eu
cd "$(dirname "$0")/.."
command -v cwebp >/dev/null || { echo "cwebp is missing: apt-get install webp" >&2; exit 1; }
SCRATCH=.build-bench
MAPILLARY_ARCHIVER_BENCH=1 swift build -c release --product imaging-bench --scratch-path "$SCRATCH" >&2
PHOTOS=""
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
  for dir in BytheWater EveningGlow FallenLeaf Kite OneStandsOut Path Autumn ColorfulCups Grey; do
    f="/usr/share/wallpapers/$dir/contents/images/2560x1600.jpg"
    [ -f "$f" ] && PHOTOS="$PHOTOS $f"
  done
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/imaging-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# shellcheck disable=SC2086
"$SCRATCH/release/imaging-bench" --work "$WORK" "$@" $PHOTOS
