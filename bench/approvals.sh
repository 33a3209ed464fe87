#!/usr/bin/env bash
# Approvals benchmark on a release build with the SQLite default:
#   1. setup: 3 groups of 3 voters and template "bench" whose rule is AND of
#      three GROUP_REQUIREMENTs (minCount 3 each), with an EMAIL action;
#   2. votes: W workflows (default 300) each voted to APPROVED by its 9
#      voters from T client threads (default 4): votes per second;
#   3. seed: workflows up to N in total (default 100,000) through REST;
#   4. list: 1,000 workflows listings (first and deep pages, status and
#      template filters, limit 20): p50/p95/p99 latency.
# Usage: bench/approvals.sh [N] [W] [T]   (BUILD_DIR=… to use another build directory)
# Results and method are recorded in docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
w=${2:-300}
threads=${3:-4}
build=${BUILD_DIR:-build-release}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSIGNOFF_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target signoff signoff_approvals_bench -j"${JOBS:-$(nproc)}" >/dev/null
bin=$PWD/$build/signoff
client=$PWD/$build/bench/signoff_approvals_bench
work=$(mktemp -d)
server=
trap '[[ -n $server ]] && kill $server 2>/dev/null; rm -rf "$work"' EXIT
db="sqlite:$work/bench.db"
key=$($bin admin bootstrap --db "$db" --org bench --email root@bench.example | sed -E 's/.*"api_key":"([^"]+)".*/\1/')

start_server() {
  : >"$work/serve.log"
  $bin serve --http 127.0.0.1:0 --db "$db" 2>"$work/serve.log" &
  server=$!
  for _ in $(seq 1 200); do
    grep -q "listening on" "$work/serve.log" && break
    sleep 0.05
  done
  port=$(sed -nE 's/.*listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$work/serve.log")
}
stop_server() { kill $server; wait $server 2>/dev/null || true; server=; }

cd "$work"
start_server
$client "$port" "$key" setup
$client "$port" "$key" votes "$w" "$threads"
$client "$port" "$key" seed "$((n - w))" "$threads"
stop_server

start_server
$client "$port" "$key" list 1000
stop_server
