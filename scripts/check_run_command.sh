#!/usr/bin/env bash
# Proves the README's run command from this checkout, as CI does after the test
# suite: scripts/run.sh builds the release binary and starts Signoff on a fresh
# SQLite database (on a free port here, so nothing else on the machine is in
# the way); then GET /healthz, one REST call and one MCP tools/call with a key
# from `signoff admin bootstrap`; SIGTERM must end it with exit status 0.
# Usage: scripts/check_run_command.sh
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "check_run_command: $*" >&2
  echo "--- server log" >&2
  cat "$work/server.log" >&2 || true
  exit 1
}

db="sqlite:$work/signoff.db"
scripts/run.sh --http 127.0.0.1:0 --db "$db" >"$work/build.log" 2>"$work/server.log" &
pid=$!

# The build comes first: allow it 40 minutes on a cold 2-core machine.
port=
for _ in $(seq 1 4800); do
  port=$(sed -n 's|^signoff: listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$work/server.log")
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/build.log" >&2; fail "scripts/run.sh exited before listening"; }
  sleep 0.5
done
[ -n "$port" ] || fail "no 'listening on' line after 40 minutes"
base="http://127.0.0.1:$port"

health=$(curl -fsS "$base/healthz") || fail "GET /healthz failed"
echo "check_run_command: /healthz: $health"

key=$(build-release/signoff admin bootstrap --db "$db" --org ci --email root@ci.example |
      sed -n 's|.*"api_key":"\(sk-signoff-[0-9a-f]*\)".*|\1|p')
[ -n "$key" ] || fail "admin bootstrap printed no api_key"

status=$(curl -sS -o "$work/rest.json" -w '%{http_code}' -X POST "$base/api/v1/catalog/rows" \
  -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d '{"slug":"ci-smoke","display_name":"CI smoke test"}')
[ "$status" = 201 ] || fail "REST POST /api/v1/catalog/rows answered $status: $(cat "$work/rest.json")"

mcp() {  # mcp BODY [SESSION]: one POST to /mcp; the body of the answer on stdout
  local extra=()
  [ -n "${2:-}" ] && extra=(-H "Mcp-Session-Id: $2" -H 'MCP-Protocol-Version: 2025-11-25')
  curl -fsS -D "$work/mcp.headers" -X POST "$base/mcp" -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    "${extra[@]}" -d "$1"
}
mcp '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"ci","version":"1"}}}' \
  >"$work/init.json" || fail "MCP initialize failed"
session=$(sed -n 's|^[Mm]cp-[Ss]ession-[Ii]d: *\([^[:space:]]*\).*|\1|p' "$work/mcp.headers")
[ -n "$session" ] || fail "MCP initialize answered no Mcp-Session-Id"
mcp '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$session" >/dev/null ||
  fail "MCP notifications/initialized failed"
listed=$(mcp '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"catalog_rows_list","arguments":{}}}' "$session") ||
  fail "MCP tools/call failed"
case "$listed" in
  *'"isError":false'*ci-smoke*|*ci-smoke*'"isError":false'*) ;;
  *) fail "MCP tools/call catalog_rows_list did not show the REST-created row: $listed" ;;
esac

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" = 0 ] || fail "signoff exited $rc on SIGTERM"
# The test-only clock control must not exist in what the run command builds.
refusal=$(build-release/signoff serve --test-clock --db "$db" 2>&1) && fail "the release build accepted --test-clock"
case "$refusal" in
  *"release build refuses it"*) ;;
  *) fail "the release build did not refuse --test-clock clearly: $refusal" ;;
esac
echo "check_run_command: scripts/run.sh built, served /healthz, REST and MCP, stopped cleanly on SIGTERM, and refuses --test-clock"
