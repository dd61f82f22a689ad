#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 cluster.
#
#   scripts/with-postgres.sh <command> [args...]
#
# Starts a fresh cluster in a temporary directory, listening on 127.0.0.1 only (trust auth, fsync off: test data
# only), exports WAYMARK_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:<port>/postgres, runs the command, then
# stops the cluster and deletes its directory whatever happens. Exits with the command's exit code.
#
# PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user.
# Set PG_BIN to use binaries other than /usr/lib/postgresql/15/bin.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 <command> [args...]" >&2
    exit 2
fi

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
is_root=false
[[ $(id -u) -eq 0 ]] && is_root=true

if [[ ! -x "$PG_BIN/initdb" || ! -x "$PG_BIN/pg_ctl" ]]; then
    if $is_root && command -v apt-get >/dev/null; then
        echo "with-postgres: PostgreSQL 15 not found in $PG_BIN; installing postgresql-15" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y postgresql-15 >&2 || { apt-get update >&2 && apt-get install -y postgresql-15 >&2; }
    else
        echo "with-postgres: PostgreSQL 15 is not installed (no $PG_BIN/initdb)." >&2
        echo "  Install it (e.g. 'sudo apt-get install postgresql-15') or set PG_BIN to its bin directory." >&2
        exit 1
    fi
fi
pg_isready=$PG_BIN/pg_isready
[[ -x $pg_isready ]] || pg_isready=$(command -v pg_isready)

# Run a PostgreSQL program as a user it accepts.
as_pg() {
    if $is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

if $is_root && ! id postgres >/dev/null 2>&1; then
    echo "with-postgres: running as root, but there is no 'postgres' user to run PostgreSQL as." >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/waymark-pg.XXXXXX")
data=$tmp/data
log=$tmp/postgres.log
started=false

cleanup() {
    local status=$?
    if $started; then
        as_pg "$PG_BIN/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if $is_root; then
    chown postgres: "$tmp"
fi

as_pg "$PG_BIN/initdb" -D "$data" -A trust -U postgres --no-sync -E UTF8 --locale=C >"$tmp/initdb.log" 2>&1 || {
    echo "with-postgres: initdb failed:" >&2
    cat "$tmp/initdb.log" >&2
    exit 1
}

# A port nobody is listening on: ask the kernel (through python3) or walk up from 54320.
port_is_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
pick_port() {
    if command -v python3 >/dev/null; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' && return
    fi
    local p
    for ((p = 54320 + RANDOM % 100; p < 54520; p++)); do
        if port_is_free "$p"; then
            echo "$p"
            return
        fi
    done
    echo "with-postgres: no free port found in 54320-54519" >&2
    return 1
}

# Another process may take the port between choosing and binding it: try a few times.
for attempt in 1 2 3 4 5; do
    port=$(pick_port)
    if as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 30 \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null 2>&1; then
        started=true
        break
    fi
    echo "with-postgres: PostgreSQL did not start on port $port (attempt $attempt)" >&2
done
if ! $started; then
    echo "with-postgres: could not start PostgreSQL; its log:" >&2
    cat "$log" >&2 || true
    exit 1
fi

for _ in $(seq 1 60); do
    if "$pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
        break
    fi
    sleep 0.5
done
if ! "$pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
    echo "with-postgres: PostgreSQL started but does not answer on port $port; its log:" >&2
    cat "$log" >&2 || true
    exit 1
fi

echo "with-postgres: PostgreSQL 15 is listening on 127.0.0.1:$port (throwaway cluster in $tmp)" >&2
export WAYMARK_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"

set +e
"$@"
status=$?
set -e
exit "$status"
