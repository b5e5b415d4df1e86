#!/usr/bin/env bash
# A throwaway Citus cluster for tests and the benchmark: a coordinator and two workers.
#
#   scripts/citus-cluster.sh run -- COMMAND...   start, run COMMAND with PG* exported, stop
#   scripts/citus-cluster.sh start               start and print `export PG...` lines
#   scripts/citus-cluster.sh stop                stop and delete the cluster
#   scripts/citus-cluster.sh available           exit 0 when Citus is at hand (the server
#                                                has it, or CITUS_DIR holds a build)
#
# The three servers live in an ignored folder ($FKB_CITUS_CLUSTER_DIR, default
# .tmp/citus-cluster), each with its own data folder, unix socket folder and free port
# on 127.0.0.1. The nodes reach each other through their socket folders (a node name
# may be a socket folder: it is libpq's host), so TCP keeps pg-cluster.sh's password
# rule. They run as an unprivileged OS user when we are root (PostgreSQL refuses root).
#
# Citus is used as the server has it. Only when the server lacks it (no citus.control
# in its extension folder or no citus.so in its library folder) is it installed from
# $CITUS_DIR (default ../shared/citus beside the clone) with that folder's install.sh,
# which needs root.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cluster_dir=${FKB_CITUS_CLUSTER_DIR:-$here/.tmp/citus-cluster}
citus_dir=${CITUS_DIR:-$here/../shared/citus}
location_file="$here/.tmp/$(basename "$cluster_dir").location"
nodes=(coordinator worker1 worker2)
log() { echo "citus-cluster: $*" >&2; }

find_bin() {
    local name=$1 dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/$name" ]; then echo "$dir/$name"; return; fi
    done
    if command -v "$name" >/dev/null 2>&1; then readlink -f "$(command -v "$name")"; fi
}

# PostgreSQL itself, then Citus where the server lacks it.
ensure_installed() {
    "$here/scripts/install-deps.sh"
    initdb_bin=$(find_bin initdb)
    pg_ctl_bin=$(find_bin pg_ctl)
    if [ -z "$initdb_bin" ] || [ -z "$pg_ctl_bin" ]; then
        log "initdb/pg_ctl not found even after installing postgresql"; exit 1
    fi
    bindir=$(dirname "$pg_ctl_bin")
    local libdir extdir
    libdir=$("$bindir/pg_config" --pkglibdir)
    extdir="$("$bindir/pg_config" --sharedir)/extension"
    if [ -f "$extdir/citus.control" ] && [ -f "$libdir/citus.so" ]; then return; fi
    if [ ! -x "$citus_dir/install.sh" ]; then
        log "the server has no Citus ($extdir/citus.control, $libdir/citus.so) and CITUS_DIR=$citus_dir has no install.sh"
        log "install Citus from its packages, or point CITUS_DIR at a build"; exit 1
    fi
    log "the server has no Citus: installing it from $citus_dir"
    PG_PKGLIBDIR=$libdir PG_EXTDIR=$extdir "$citus_dir/install.sh" >&2
}

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

psql_on() {
    local node=$1; shift
    as_user "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$cluster_dir/$node" -p "$(cat "$cluster_dir/$node/port")" -U postgres "$@"
}

start_node() {
    local node=$1 dir=$cluster_dir/$1 port
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown "$server_user" "$dir"; fi
    port=$(free_port)
    as_user "$initdb_bin" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    local options="-k $dir -p $port -c listen_addresses=127.0.0.1 -c shared_preload_libraries=citus -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200 -c max_prepared_transactions=200 -c citus.enable_statistics_collection=off"
    if ! as_user "$pg_ctl_bin" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$options" start >/dev/null; then
        # A Citus built against a later minor release of the server (see CITUS_DIR's
        # README) misses a symbol of the older one: bring the server to that release.
        if grep -q "undefined symbol" "$dir/server.log" && [ "$(id -u)" -eq 0 ] && [ -z "${upgraded:-}" ]; then
            upgraded=1
            local major; major=$("$bindir/pg_config" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
            log "citus.so needs a later PostgreSQL $major minor release: apt-get install postgresql-$major"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "postgresql-$major" >&2
            as_user "$pg_ctl_bin" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$options" start >/dev/null \
                || { cat "$dir/server.log" >&2; exit 1; }
        else
            cat "$dir/server.log" >&2; exit 1
        fi
    fi
    echo "$port" >"$dir/port"
    as_user "$bindir/createdb" -h "$dir" -p "$port" -U postgres fkbackfill
    psql_on "$node" -d fkbackfill -c "CREATE EXTENSION citus" >/dev/null
}

start() {
    ensure_installed
    server_user=$(run_as_user)
    stop_quietly
    mkdir -p "$cluster_dir"
    if [ "$(id -u)" -eq 0 ] && ! runuser -u "$server_user" -- test -x "$cluster_dir"; then
        cluster_dir=$(mktemp -d /tmp/fkbackfill-citus.XXXXXX)
    fi
    # Socket paths must fit in 107 bytes; a deep clone moves the cluster to /tmp.
    if [ ${#cluster_dir} -gt 70 ]; then cluster_dir=$(mktemp -d /tmp/fkbackfill-citus.XXXXXX); fi
    if [ "$(id -u)" -eq 0 ]; then chown "$server_user" "$cluster_dir"; fi
    echo "$cluster_dir" >"$location_file"
    for node in "${nodes[@]}"; do start_node "$node"; done
    psql_on coordinator -d fkbackfill >/dev/null <<SQL
SELECT citus_set_coordinator_host('$cluster_dir/coordinator', $(cat "$cluster_dir/coordinator/port"));
SELECT citus_add_node('$cluster_dir/worker1', $(cat "$cluster_dir/worker1/port"));
SELECT citus_add_node('$cluster_dir/worker2', $(cat "$cluster_dir/worker2/port"));
SQL
    log "started Citus: coordinator on port $(cat "$cluster_dir/coordinator/port"), workers on $(cat "$cluster_dir/worker1/port") and $(cat "$cluster_dir/worker2/port"), sockets in $cluster_dir"
}

env_lines() {
    echo "export PGHOST='$cluster_dir/coordinator' PGPORT=$(cat "$cluster_dir/coordinator/port") PGUSER=postgres PGDATABASE=fkbackfill"
}

stop_quietly() {
    local loc=$cluster_dir node
    [ -f "$location_file" ] && loc=$(cat "$location_file")
    pg_ctl_bin=${pg_ctl_bin:-$(find_bin pg_ctl)}
    server_user=${server_user:-$(run_as_user)}
    for node in "${nodes[@]}"; do
        if [ -d "$loc/$node/data" ]; then
            as_user "$pg_ctl_bin" -D "$loc/$node/data" -m immediate stop >/dev/null 2>&1 || true
        fi
    done
    [ -d "$loc" ] && rm -rf "$loc"
    rm -f "$location_file"
}

mkdir -p "$here/.tmp"
case "${1:-}" in
    start)
        trap 'status=$?; [ $status -eq 0 ] || stop_quietly; exit $status' EXIT
        start; env_lines ;;
    stop) stop_quietly ;;
    available)
        pg_config_bin=$(find_bin pg_config)
        [ -n "$pg_config_bin" ] || exit 1
        { [ -f "$("$pg_config_bin" --sharedir)/extension/citus.control" ] && [ -f "$("$pg_config_bin" --pkglibdir)/citus.so" ]; } \
            || [ -x "$citus_dir/install.sh" ]
        ;;
    run)
        shift; [ "${1:-}" = "--" ] && shift
        trap stop_quietly EXIT
        start
        eval "$(env_lines)"
        unset PGPASSWORD PGSERVICE PGSSLMODE
        "$@"
        ;;
    *) echo "usage: $0 start|stop|available|run -- COMMAND..." >&2; exit 2 ;;
esac
