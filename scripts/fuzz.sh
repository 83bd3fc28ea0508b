#!/bin/sh
# Fuzzes every parser that reads bytes from outside (parser-fuzz, see docs/fuzzing.md) with libFuzzer: builds the
# fuzz targets into .build-fuzz (MAPILLARY_ARCHIVER_FUZZ=1, -sanitize=fuzzer,address), writes the seed corpus from
# the project's own writers and the sandbox, then runs each target for SECONDS, as many at once as there are cores
# (one line each: executions, executions per second, corpus size). The corpus each run grows is kept in
# .build-fuzz/corpus/TARGET and used again next time. Exits 1 when a target finds a crash (the input is saved as
# .build-fuzz/crashes/TARGET/crash-*; replay it with `.build-fuzz/release/parser-fuzz TARGET FILE`).
# usage: scripts/fuzz.sh [--seconds N] [TARGET...]     (default: 60 seconds each, every target)
set -eu
cd "$(dirname "$0")/.."
SECONDS_EACH=60
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_EACH="$2"; shift 2 ;;
    -*) echo "usage: scripts/fuzz.sh [--seconds N] [TARGET...]" >&2; exit 2 ;;
    *) break ;;
  esac
done
SCRATCH=.build-fuzz
# -enable-testing: the targets reach internal parsers through @testable import. Release, so an input costs what it
# costs in the product (debug code runs several times slower and finds less in the same time). lld: gold warns
# about every ASan symbol it cannot export.
MAPILLARY_ARCHIVER_FUZZ=1 swift build -c release --product parser-fuzz --scratch-path "$SCRATCH" \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing -Xswiftc -use-ld=lld >&2
FUZZ="$SCRATCH/release/parser-fuzz"
# Work files of the targets (a .meta folder, a tar, a gzip file per input) go to memory when it can.
TMPDIR="$SCRATCH/tmp"
[ -d /dev/shm ] && [ -w /dev/shm ] && TMPDIR=/dev/shm
export TMPDIR
# Crashes must reach libFuzzer's handler (which saves the input), not Swift's backtracer. Leaks are checked
# (libFuzzer with ASan), less the system libraries' known ones.
export SWIFT_BACKTRACE=enable=no LSAN_OPTIONS="suppressions=$PWD/scripts/lsan-suppressions.txt"
"$FUZZ" seeds "$SCRATCH/seeds"
[ $# -gt 0 ] || set -- $("$FUZZ" list | cut -f1)
# One target per core at a time; each prints one line: executions, executions per second, corpus size.
JOBS=$(nproc 2>/dev/null || echo 1)
fuzz_one() {
  target=$1
  mkdir -p "$SCRATCH/corpus/$target" "$SCRATCH/crashes/$target"
  log="$SCRATCH/fuzz-$target.log"
  # -rss_limit_mb: one input must not take more than the machine can spare; -max_len: larger than any seed.
  if "$FUZZ" "$target" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -rss_limit_mb=2048 -max_len=65536 \
       -artifact_prefix="$SCRATCH/crashes/$target/" "$SCRATCH/corpus/$target" "$SCRATCH/seeds/$target" >"$log" 2>&1; then
    rm -f "$SCRATCH/fuzz-$target.failed"
  else
    touch "$SCRATCH/fuzz-$target.failed"
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  printf '%-13s %10s runs %8s/s  corpus %s\n' "$target" "${runs:-?}" "${rate:-?}" "$(ls "$SCRATCH/corpus/$target" | wc -l)"
}
echo "fuzzing $* for $SECONDS_EACH s each, $JOBS at a time" >&2
running=0
for target in "$@"; do
  fuzz_one "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then wait; running=0; fi
done
wait
failed=""
for target in "$@"; do
  if [ -e "$SCRATCH/fuzz-$target.failed" ]; then
    failed="$failed $target"
    tail -n 40 "$SCRATCH/fuzz-$target.log" >&2
  fi
done
if [ -n "$failed" ]; then
  echo "fuzzing found crashes in:$failed (inputs in $SCRATCH/crashes/; logs in $SCRATCH/fuzz-*.log)" >&2
  exit 1
fi
