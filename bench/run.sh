#!/usr/bin/env bash
# Benchmarks tools/call of a read-only catalog tool (catalog_rows_get) on a
# release build with the SQLite default:
#   - HTTP: wrk, 1 thread, 16 keep-alive connections, 10 s, stateless MCP requests;
#   - stdio: N requests piped through `signoff stdio`, timed end to end.
# Usage: bench/run.sh [seconds] [stdio-requests]
# Results and method are recorded in docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
n=${2:-200000}
scripts/setup.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DSIGNOFF_BUILD_TESTS=OFF >/dev/null
cmake --build build-release --target signoff -j"$(nproc)" >/dev/null
bin=build-release/signoff
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
db="sqlite:$work/bench.db"
key=$($bin admin bootstrap --db "$db" --org bench --email root@bench.example | sed -E 's/.*"api_key":"([^"]+)".*/\1/')

$bin serve --http 127.0.0.1:0 --db "$db" 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 200); do
  grep -q "listening on" "$work/serve.log" && break
  sleep 0.05
done
port=$(sed -nE 's/.*listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$work/serve.log")
curl -sf -X POST "http://127.0.0.1:$port/api/v1/catalog/rows" -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' \
  -d '{"slug":"openai-team","display_name":"OpenAI team seat","category":"llm-backend"}' >/dev/null

echo "== HTTP: wrk -t1 -c16 -d${secs}s, tools/call catalog_rows_get (stateless MCP)"
SIGNOFF_BENCH_KEY=$key wrk -t1 -c16 -d"${secs}s" --latency -s bench/http_tools_call.lua "http://127.0.0.1:$port/mcp"
kill $server; wait $server 2>/dev/null || true

echo "== stdio: $n tools/call catalog_rows_get through signoff stdio"
python3 - "$n" >"$work/requests.jsonl" <<'PY'
import json, sys
n = int(sys.argv[1])
print(json.dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
    "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}}))
print(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
line = '{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"catalog_rows_get","arguments":{"slug":"openai-team"}}}'
for i in range(1, n + 1):
    print(line % i)
PY
start=$(date +%s.%N)
SIGNOFF_API_KEY=$key $bin stdio --db "$db" <"$work/requests.jsonl" >"$work/responses.jsonl"
end=$(date +%s.%N)
ok=$(grep -c '"isError":false' "$work/responses.jsonl" || true)
python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); n=int(sys.argv[3]); print(f'{n} ok responses in {s:.2f} s: {n/s:,.0f} calls/s')" "$start" "$end" "$ok"
python3 bench/stdio_latency.py "$bin" "$db" "$key" 20000
