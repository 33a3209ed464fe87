#!/usr/bin/env bash
# Auth-artifact benchmark on a release build with the SQLite default:
#   1. seed N auths (default 100,000) through REST auths_create, 100 per call;
#   2. restart the server, so that its peak memory covers only what follows;
#   3. 1,000 auths_search calls (p50/p95/p99 latency);
#   4. one auths_export of every auth (time), then the server's peak RSS (VmHWM);
#   5. auths_patch_draft for 10 s from 4 clients, each patching its own draft.
# Usage: bench/auths.sh [N] [patch-clients] [patch-seconds]
# BENCH_DB=postgres://… runs it on PostgreSQL instead (an empty database).
# Results and method are recorded in docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
clients=${2:-4}
secs=${3:-10}
scripts/setup.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DSIGNOFF_BUILD_TESTS=OFF >/dev/null
cmake --build build-release --target signoff signoff_auths_bench -j"$(nproc)" >/dev/null
bin=build-release/signoff
client=build-release/bench/signoff_auths_bench
work=$(mktemp -d)
server=
trap '[[ -n $server ]] && kill $server 2>/dev/null; rm -rf "$work"' EXIT
db=${BENCH_DB:-"sqlite:$work/bench.db"}
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

start_server
$client "$port" "$key" seed "$n"
stop_server

start_server
$client "$port" "$key" search 1000
$client "$port" "$key" export
echo "server peak RSS after search and export: $(grep VmHWM /proc/$server/status | awk '{print $2/1024 " MiB"}')"
$client "$port" "$key" patch "$clients" "$secs"
stop_server
