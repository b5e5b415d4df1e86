#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and the demo.
#
#   scripts/pg-cluster.sh run [--standby] -- COMMAND...   start, run COMMAND with PG* exported, stop
#   scripts/pg-cluster.sh start [--standby]               start and print `export PG...` lines
#   scripts/pg-cluster.sh stop                            stop and delete the cluster (and its standby)
#
# With --standby, a streaming-replication hot standby of it runs too (pg_basebackup -R
# over the primary's socket, into the cluster folder, on another free port, with its own
# socket folder there), and FKB_STANDBY_HOST / FKB_STANDBY_PORT name it: the tests of
# read-only validation run against it (docs/testing.md).
#
# The cluster lives in an ignored folder ($FKB_CLUSTER_DIR, default .tmp/pgcluster),
# listens on a unix socket in that folder and on 127.0.0.1 at a free port, trusts
# socket connections (TCP ones need a password, so a wrong one can be tested), and runs as an unprivileged OS user when we are root
# (PostgreSQL refuses to run as root).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cluster_dir=${FKB_CLUSTER_DIR:-$here/.tmp/pgcluster}
# Where the cluster really went (it may move to /tmp, see start).
location_file="$here/.tmp/$(basename "$cluster_dir").location"
log() { echo "pg-cluster: $*" >&2; }

find_bin() {
    local name=$1 dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/$name" ]; then echo "$dir/$name"; return; fi
    done
    if command -v "$name" >/dev/null 2>&1; then readlink -f "$(command -v "$name")"; fi
}

ensure_installed() {
    "$here/scripts/install-deps.sh"
    initdb_bin=$(find_bin initdb)
    pg_ctl_bin=$(find_bin pg_ctl)
    if [ -z "$initdb_bin" ] || [ -z "$pg_ctl_bin" ]; then
        log "initdb/pg_ctl not found even after installing postgresql"; exit 1
    fi
}

# The OS user the server runs as: ourselves, or an unprivileged one when root.
run_as_user() {
    if [ "$(id -u)" -ne 0 ]; then id -un; return; fi
    if id postgres >/dev/null 2>&1; then echo postgres; return; fi
    if ! id fkbackfill >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin fkbackfill
    fi
    echo fkbackfill
}

as_user() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u "$server_user" -- "$@"; else "$@"; fi
}

free_port() {
    local port
    for _ in $(seq 1 200); do
        port=$(( 20000 + RANDOM % 30000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
    done
    log "no free port found"; exit 1
}

start() {
    ensure_installed
    server_user=$(run_as_user)
    stop_quietly
    mkdir -p "$cluster_dir"
    # The server user must reach the folder; a clone below a private home may not allow it.
    if [ "$(id -u)" -eq 0 ] && ! runuser -u "$server_user" -- test -x "$cluster_dir"; then
        cluster_dir=$(mktemp -d /tmp/fkbackfill-pg.XXXXXX)
    fi
    if [ "$(id -u)" -eq 0 ]; then chown "$server_user" "$cluster_dir"; fi
    local port; port=$(free_port)
    as_user "$initdb_bin" -D "$cluster_dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$cluster_dir/initdb.log" 2>&1 \
        || { cat "$cluster_dir/initdb.log" >&2; exit 1; }
    as_user "$pg_ctl_bin" -D "$cluster_dir/data" -l "$cluster_dir/server.log" -w -t 60 \
        -o "-k $cluster_dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=100" \
        start >/dev/null || { cat "$cluster_dir/server.log" >&2; exit 1; }
    echo "$port" >"$cluster_dir/port"
    echo "$cluster_dir" >"$location_file"
    as_user "$(dirname "$pg_ctl_bin")/createdb" -h "$cluster_dir" -p "$port" -U postgres fkbackfill
    log "started PostgreSQL on port $port, socket in $cluster_dir"
}

# A hot standby of the cluster: a base backup of the running primary, taken over its unix
# socket (initdb's pg_hba trusts local replication connections; wal_level replica and
# max_wal_senders 10 are PostgreSQL's defaults), started with the primary_conninfo and
# standby.signal that -R writes, hot_standby on, on a free port and a socket folder of its
# own inside the cluster folder. `stop` stops and deletes it with the cluster.
# hot_standby_feedback: the tests' catalog churn on the primary (schemas created and
# dropped by the hundred) is vacuumed away, which cancelled a standby's validate with
# "conflict with recovery" under load; the feedback keeps the rows its snapshots need.
start_standby() {
    local port; port=$(cat "$cluster_dir/port")
    local senders; senders=$(as_user "$(dirname "$pg_ctl_bin")/psql" -h "$cluster_dir" -p "$port" -U postgres -d postgres -Atc \
        "SELECT current_setting('max_wal_senders')::int > 0 AND current_setting('wal_level') <> 'minimal'")
    if [ "$senders" != "t" ]; then log "the primary allows no replication (max_wal_senders 0 or wal_level minimal)"; exit 1; fi
    local standby_port; standby_port=$(free_port)
    while [ "$standby_port" = "$port" ]; do standby_port=$(free_port); done
    as_user mkdir -p "$cluster_dir/standby-socket"
    as_user "$(dirname "$pg_ctl_bin")/pg_basebackup" -h "$cluster_dir" -p "$port" -U postgres -D "$cluster_dir/standby" \
        -R -X stream -c fast >"$cluster_dir/basebackup.log" 2>&1 || { cat "$cluster_dir/basebackup.log" >&2; exit 1; }
    as_user "$pg_ctl_bin" -D "$cluster_dir/standby" -l "$cluster_dir/standby.log" -w -t 60 \
        -o "-k $cluster_dir/standby-socket -p $standby_port -c listen_addresses=127.0.0.1 -c hot_standby=on -c hot_standby_feedback=on -c fsync=off -c max_connections=100" \
        start >/dev/null || { cat "$cluster_dir/standby.log" >&2; exit 1; }
    echo "$standby_port" >"$cluster_dir/standby-port"
    log "started a hot standby of it on port $standby_port, socket in $cluster_dir/standby-socket"
}

env_lines() {
    local port; port=$(cat "$cluster_dir/port")
    echo "export PGHOST='$cluster_dir' PGPORT=$port PGUSER=postgres PGDATABASE=fkbackfill"
    if [ -f "$cluster_dir/standby-port" ]; then
        echo "export FKB_STANDBY_HOST='$cluster_dir/standby-socket' FKB_STANDBY_PORT=$(cat "$cluster_dir/standby-port")"
    fi
}

stop_quietly() {
    local loc=$cluster_dir
    [ -f "$location_file" ] && loc=$(cat "$location_file")
    if [ -d "$loc/data" ]; then
        pg_ctl_bin=${pg_ctl_bin:-$(find_bin pg_ctl)}
        server_user=${server_user:-$(run_as_user)}
        if [ -d "$loc/standby" ]; then as_user "$pg_ctl_bin" -D "$loc/standby" -m immediate stop >/dev/null 2>&1 || true; fi
        as_user "$pg_ctl_bin" -D "$loc/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$loc"
    fi
    rm -f "$location_file"
}

mkdir -p "$here/.tmp"
command=${1:-}
[ $# -gt 0 ] && shift
standby=false
if [ "${1:-}" = "--standby" ]; then standby=true; shift; fi
case "$command" in
    start) start; if $standby; then start_standby; fi; env_lines ;;
    stop) stop_quietly ;;
    run)
        [ "${1:-}" = "--" ] && shift
        start
        trap stop_quietly EXIT
        if $standby; then start_standby; fi
        eval "$(env_lines)"
        unset PGPASSWORD PGSERVICE PGSSLMODE
        "$@"
        ;;
    *) echo "usage: $0 start [--standby] | stop | run [--standby] -- COMMAND..." >&2; exit 2 ;;
esac
