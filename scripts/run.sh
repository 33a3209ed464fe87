#!/usr/bin/env bash
# Builds Signoff (release) and starts it on the embedded SQLite default:
# HTTP on 127.0.0.1:8080, database ./signoff.db. Extra arguments go to
# `signoff serve` (e.g. --http 127.0.0.1:9090 --db postgres://…).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DSIGNOFF_BUILD_TESTS=OFF >/dev/null
cmake --build build-release --target signoff -j"$(nproc)"
echo "signoff: get an admin API key with: build-release/signoff admin bootstrap" >&2
exec build-release/signoff serve "$@"
