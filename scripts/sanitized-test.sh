#!/bin/sh
# The test suite under sanitizers (make test-asan, test-ubsan, test-sanitizers; docs/fuzzing.md): builds the tests
# with the given swift build flags into SCRATCH, then runs them one test target at a time, in a throwaway PostgreSQL
# as `make test` does. One target at a time because sanitized code runs two to three times slower, and the suite's
# time limits and waits assume that the tests of every target, sharing two cooperative threads, run at full speed:
# all at once they timed out under ASan where each target alone passes. Every target runs; exits 1 naming those
# that failed.
# SANITIZED_SKIP="TargetTests ..." leaves those test targets out (CI leaves out CLITests: docs/fuzzing.md says why).
# usage: scripts/sanitized-test.sh SCRATCH [SWIFT_BUILD_FLAG...]
set -eu
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
[ $# -ge 1 ] || { echo "usage: scripts/sanitized-test.sh SCRATCH [SWIFT_BUILD_FLAG...]" >&2; exit 2; }
if [ "$1" != --run ]; then
  scratch=$1
  shift
  "$SWIFT" build --build-tests --scratch-path "$scratch" "$@"
  # Known leaks of system libraries only (each explained there); UB aborts, so print where it happened.
  export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan-suppressions.txt" UBSAN_OPTIONS=print_stacktrace=1
  exec scripts/throwaway-postgres.sh run "$0" --run "$scratch" "$@"
fi
shift
scratch=$1
shift
failed=""
for target in $(ls -d Tests/*Tests | xargs -n1 basename); do
  case " ${SANITIZED_SKIP:-} " in *" $target "*) echo "== $target: left out (SANITIZED_SKIP)" >&2; continue ;; esac
  echo "== $target" >&2
  # --disable-xctest: the tests are Swift Testing only, and XCTest's empty run leaks its own suite objects at exit.
  "$SWIFT" test --skip-build --disable-xctest --scratch-path "$scratch" "$@" --filter "^$target\." || failed="$failed $target"
done
if [ -n "$failed" ]; then
  echo "failed under sanitizers:$failed" >&2
  exit 1
fi
