#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs what is
# missing, builds Signoff with ASan+UBSan and -Werror, starts a throw-away
# PostgreSQL cluster, and runs every ctest test (unit suites on both back ends,
# end-to-end tests of the real binary over stdio, HTTP and REST, the MCP
# TypeScript SDK interop test and the official conformance suite). In CI
# (CI=true), or with SIGNOFF_TSAN=1, the same suite runs again built with
# ThreadSanitizer; that doubles the time, so it is off by default locally.
# Usage: scripts/test.sh [extra ctest arguments, e.g. -R catalog]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/setup.sh

# Formatting is part of the suite (STYLE.md rule 16): clang-format 14, repo .clang-format.
clang-format --version
unformatted=$(git ls-files '*.cpp' '*.hpp' | while read -r f; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"; done)
if [ -n "$unformatted" ]; then
  echo "test: these files are not clang-formatted (run clang-format -i on them):" >&2
  echo "$unformatted" >&2
  exit 1
fi

eval "$(scripts/pg_test_cluster.sh start)"
trap 'scripts/pg_test_cluster.sh stop "$SIGNOFF_TEST_PG_DIR" >/dev/null 2>&1 || true' EXIT

# run_leg NAME SANITIZERS: configure, build and run ctest in build-test-NAME.
run_leg() {
  local build=$root/build-test-$1
  echo "== test leg: $1 (sanitizers: $2)"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DSIGNOFF_WERROR=ON \
        "-DSIGNOFF_SANITIZE=$2" >/dev/null
  cmake --build "$build" -j"$(nproc)"
  mkdir -p "$build/test-tmp"
  (cd "$build" && ctest --output-on-failure -j"$(nproc)" "${@:3}")
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/tsan_suppressions.txt}
run_leg asan "address;undefined" "$@"
tsan_default=0
[ "${CI:-}" = true ] && tsan_default=1
if [ "${SIGNOFF_TSAN:-$tsan_default}" != 0 ]; then
  run_leg tsan "thread" "$@"
fi
