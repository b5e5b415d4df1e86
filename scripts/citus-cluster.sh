#!/usr/bin/env bash
# A throwaway Citus cluster for tests and the benchmark: a coordinator and two workers.
#
#   scripts/citus-cluster.sh run -- COMMAND...   start, run COMMAND with PG* exported, stop
#   scripts/citus-cluster.sh start               start and print `export PG...` lines
#   scripts/citus-cluster.sh stop                stop and delete the cluster
#   scripts/citus-cluster.sh available           exit 0 when a private server with Citus can be
#                                                had; otherwise say why on stderr, exit 1
#
# The three servers live in an ignored folder ($FKB_CITUS_CLUSTER_DIR, default
# .tmp/citus-cluster), each with its own data folder, unix socket folder and free port
# on 127.0.0.1. The nodes reach each other through their socket folders (a node name
# may be a socket folder: it is libpq's host), so TCP keeps pg-cluster.sh's password
# rule. They run as an unprivileged OS user when we are root (PostgreSQL refuses root).
#
# The servers never are the machine's own: they run from a private server tree in the
# cluster folder, deleted with it. The tree is the server package unpacked, not
# installed (`apt-get download postgresql-MAJOR`, cached in .tmp/citus-server, then
# `dpkg -x`), plus the prebuilt Citus of $CITUS_DIR (default ../shared/citus beside the
# clone; read only) copied into the tree's lib and extension folders by its install.sh.
# PostgreSQL finds its lib and share folders relative to its binaries, so nothing under
# /usr changes and no package is installed or upgraded. The package is the version apt
# offers: the shared Citus build needs 15.20 or later (its README), which the machine's
# server may not be; psql and createdb are the machine's (any client speaks to it).
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

# Why a private Citus server cannot be had, or nothing when it can: the package is
# fetched once into the cache (apt-get download installs nothing) and Citus's build
# must be there.
server_cache=$here/.tmp/citus-server
unavailable_reason() {
    if [ ! -x "$citus_dir/install.sh" ]; then
        echo "CITUS_DIR=$citus_dir has no install.sh (a Citus build; see docs/scale-out.md)"; return
    fi
    # The server's major release is the one Citus was built for (…-pg15-….tar.gz).
    local major
    major=$(ls "$citus_dir"/citus-*-pg*-*.tar.gz 2>/dev/null | sed -nE 's/.*-pg([0-9]+)-.*/\1/p' | head -1)
    if [ -z "$major" ]; then echo "CITUS_DIR=$citus_dir has no citus-VERSION-pgMAJOR-ARCH.tar.gz"; return; fi
    if [ -z "$(find_bin psql)" ]; then echo "no psql (scripts/install-deps.sh installs it)"; return; fi
    if ! ls "$server_cache"/postgresql-"$major"_*.deb >/dev/null 2>&1; then
        mkdir -p "$server_cache"
        if ! (cd "$server_cache" && apt-get download -q "postgresql-$major" >download.log 2>&1); then
            echo "apt-get download postgresql-$major failed ($(grep -E '^E:' "$server_cache/download.log" | head -1); apt-get update may help)"
            rm -f "$server_cache"/*.deb; return
        fi
    fi
}

# Unpacks the cached package into TREE and adds Citus; sets bindir (the tree's).
make_tree() {
    local deb=$1 tree=$2
    rm -rf "$tree"; mkdir -p "$tree"
    dpkg -x "$deb" "$tree"
    bindir=$(ls -d "$tree"/usr/lib/postgresql/*/bin | sort -V | tail -1)
    PG_PKGLIBDIR="$(dirname "$bindir")/lib" PG_EXTDIR="$tree/usr/share/postgresql/$(basename "$(dirname "$bindir")")/extension" \
        "$citus_dir/install.sh" >/dev/null
}

cached_deb() { ls "$server_cache"/postgresql-*_*.deb | sort -V | tail -1; }

# Whether Citus loads into the package's server (a build for a later minor release
# misses symbols of an earlier one): one single-user start with Citus preloaded, its
# verdict cached beside the package. Prints why not, or nothing.
probe() {
    local deb marker dir out
    deb=$(cached_deb); marker=$server_cache/$(basename "$deb" .deb).probe
    if [ -f "$marker" ]; then cat "$marker"; return; fi
    server_user=$(run_as_user)
    dir=$(mktemp -d /tmp/fkbackfill-citus-probe.XXXXXX)
    if [ "$(id -u)" -eq 0 ]; then chown "$server_user" "$dir"; fi
    make_tree "$deb" "$dir/server"
    if ! out=$(as_user "$bindir/initdb" -N -D "$dir/data" -U postgres 2>&1 \
            && echo "SELECT 1;" | as_user "$bindir/postgres" --single -D "$dir/data" -c shared_preload_libraries=citus postgres 2>&1); then
        echo "Citus of $citus_dir does not load into $(basename "$deb" .deb): $(echo "$out" | grep -E 'FATAL|undefined' | head -1)" >"$marker"
    else
        : >"$marker"
    fi
    rm -rf "$dir"
    cat "$marker"
}

# The cluster's server tree, in the cluster folder. Sets bindir, initdb_bin, pg_ctl_bin
# (the tree's) and client_bindir (the machine's psql and createdb).
ensure_installed() {
    "$here/scripts/install-deps.sh"
    local reason; reason=$(unavailable_reason)
    if [ -n "$reason" ]; then log "no private Citus server: $reason"; exit 1; fi
    make_tree "$(cached_deb)" "$cluster_dir/server"
    initdb_bin=$bindir/initdb
    pg_ctl_bin=$bindir/pg_ctl
    client_bindir=$(dirname "$(find_bin psql)")
    log "private server $(basename "$(cached_deb)" .deb) with Citus from $citus_dir in $cluster_dir/server"
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
    as_user "$client_bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$cluster_dir/$node" -p "$(cat "$cluster_dir/$node/port")" -U postgres "$@"
}

start_node() {
    local node=$1 dir=$cluster_dir/$1 port
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown "$server_user" "$dir"; fi
    port=$(free_port)
    as_user "$initdb_bin" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    local options="-k $dir -p $port -c listen_addresses=127.0.0.1 -c shared_preload_libraries=citus -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200 -c max_prepared_transactions=200 -c citus.enable_statistics_collection=off"
    as_user "$pg_ctl_bin" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$options" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    as_user "$client_bindir/createdb" -h "$dir" -p "$port" -U postgres fkbackfill
    psql_on "$node" -d fkbackfill -c "CREATE EXTENSION citus" >/dev/null
}

start() {
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
    ensure_installed
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
    # The private tree's pg_ctl when it is still there, else the machine's (a signal).
    pg_ctl_bin=$(ls "$loc"/server/usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | head -1 || true)
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
        reason=$(unavailable_reason)
        [ -n "$reason" ] || reason=$(probe)
        if [ -n "$reason" ]; then echo "$reason" >&2; exit 1; fi
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
