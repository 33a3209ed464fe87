#!/usr/bin/env bash
# Throw-away PostgreSQL 15 cluster for the test suites' Postgres legs.
#   eval "$(scripts/pg_test_cluster.sh start)"   # exports SIGNOFF_TEST_PG_DSN, SIGNOFF_TEST_PG_DIR
#   scripts/pg_test_cluster.sh stop [DIR]        # DIR defaults to $SIGNOFF_TEST_PG_DIR
# Needs only the Debian `postgresql` package. Runs as root (the server runs as the
# `postgres` user via runuser) or as any other user (the server runs as that user).
# Trust auth, 127.0.0.1 on a free port, durability off: test data only.
# `start` also writes the export lines to DIR/env. Progress goes to stderr.
set -euo pipefail

log() { echo "pg_test_cluster: $*" >&2; }
die() { log "$*"; exit 1; }

find_bindir() {
    local d
    for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
            echo "$d"
            return
        fi
    done
    command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)" && return
    die "initdb not found; install it with: apt-get install postgresql"
}

# Runs a command as the cluster owner.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_in_use() {
    # Succeeds when something accepts connections on the port.
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
    local p
    if command -v python3 >/dev/null 2>&1; then
        p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || true)
        if [[ -n "$p" ]]; then
            echo "$p"
            return
        fi
    fi
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 40000))
        if ! port_in_use "$p"; then
            echo "$p"
            return
        fi
    done
    die "no free port found"
}

start() {
    local bindir dir port attempt
    bindir=$(find_bindir)
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "user 'postgres' missing; install: apt-get install postgresql"
    fi
    # /tmp (not $TMPDIR under /root) so the postgres user can reach it.
    dir=$(mktemp -d "${SIGNOFF_PG_PARENT:-/tmp}/signoff-pg.XXXXXX")
    chmod 755 "$dir"
    mkdir -p "$dir/data" "$dir/sock" "$dir/log"
    if [[ $(id -u) -eq 0 ]]; then
        chown -R postgres:postgres "$dir"
    fi
    log "initdb in $dir/data"
    if ! as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C \
            --no-sync >"$dir/log/initdb.log" 2>&1; then
        cat "$dir/log/initdb.log" >&2
        die "initdb failed"
    fi
    for attempt in 1 2 3 4 5; do
        port=$(pick_port)
        log "starting on 127.0.0.1:$port (attempt $attempt)"
        if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log/postgres.log" -w -t 60 \
                -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
                start >"$dir/log/pg_ctl.log" 2>&1; then
            local dsn="postgresql://postgres@127.0.0.1:$port/postgres"
            {
                echo "export SIGNOFF_TEST_PG_DSN='$dsn'"
                echo "export SIGNOFF_TEST_PG_DIR='$dir'"
            } | tee "$dir/env"
            return
        fi
        tail -n 5 "$dir/log/postgres.log" >&2 || true
    done
    rm -rf "$dir"
    die "could not start the server"
}

stop() {
    local dir="${1:-${SIGNOFF_TEST_PG_DIR:-}}"
    [[ -n "$dir" ]] || die "usage: $0 stop DIR (or set SIGNOFF_TEST_PG_DIR)"
    [[ -d "$dir/data" ]] || die "$dir is not a cluster made by this script"
    local bindir
    bindir=$(find_bindir)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 ||
            log "pg_ctl stop failed; removing the directory anyway"
    fi
    rm -rf "$dir"
    log "stopped and removed $dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop "${2:-}" ;;
    *) die "usage: $0 start | stop [DIR]" ;;
esac
