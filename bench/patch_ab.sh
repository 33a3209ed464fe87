#!/usr/bin/env bash
# A/B of auths_patch_draft throughput between two builds of signoff, on small
# SQLite databases (2,000 auths), in alternating runs so that a busy machine
# weighs on both alike. Prints patches/s and the server's CPU time per patch.
# Usage: bench/patch_ab.sh DIR_A DIR_B [pairs] [seconds]
#   DIR_x holds `signoff` and `bench/signoff_auths_bench` (a Release build
#   directory, or a copy of one); default 3 pairs of 5 s runs, 4 clients.
set -euo pipefail
a=$1
b=$2
pairs=${3:-3}
secs=${4:-5}

one_run() {
  local dir=$1 work key server port c0 c1 out n
  work=$(mktemp -d)
  key=$("$dir/signoff" admin bootstrap --db "sqlite:$work/bench.db" --org bench \
    --email root@bench.example | sed -E 's/.*"api_key":"([^"]+)".*/\1/')
  "$dir/signoff" serve --http 127.0.0.1:0 --db "sqlite:$work/bench.db" 2>"$work/serve.log" &
  server=$!
  for _ in $(seq 1 200); do
    grep -q "listening on" "$work/serve.log" && break
    sleep 0.05
  done
  port=$(sed -nE 's/.*listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$work/serve.log")
  "$dir/bench/signoff_auths_bench" "$port" "$key" seed 2000 >/dev/null
  c0=$(awk '{print $14 + $15}' "/proc/$server/stat")
  out=$("$dir/bench/signoff_auths_bench" "$port" "$key" patch 4 "$secs")
  c1=$(awk '{print $14 + $15}' "/proc/$server/stat")
  n=$(awk '{print $2}' <<<"$out")
  echo "$out | server CPU $(((c1 - c0) * 1000000 / $(getconf CLK_TCK) / n)) us/patch"
  kill "$server"
  wait "$server" 2>/dev/null || true
  rm -rf "$work"
}

for _ in $(seq 1 "$pairs"); do
  echo -n "A: "
  one_run "$a"
  echo -n "B: "
  one_run "$b"
done
