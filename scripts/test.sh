#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs what is
# missing, builds Signoff with ASan+UBSan and -Werror, starts a throw-away
# PostgreSQL cluster, and runs every ctest test (unit suites on both back ends,
# end-to-end tests of the real binary over stdio, HTTP and REST, the MCP
# TypeScript SDK interop test and the official conformance suite).
# Usage: scripts/test.sh [extra ctest arguments, e.g. -R catalog]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/setup.sh

build=${SIGNOFF_TEST_BUILD_DIR:-$root/build-test}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DSIGNOFF_WERROR=ON \
      "-DSIGNOFF_SANITIZE=address;undefined" >/dev/null
cmake --build "$build" -j"$(nproc)"

eval "$(scripts/pg_test_cluster.sh start)"
trap 'scripts/pg_test_cluster.sh stop "$SIGNOFF_TEST_PG_DIR" >/dev/null 2>&1 || true' EXIT

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$build/test-tmp"
cd "$build"
ctest --output-on-failure -j"$(nproc)" "$@"
