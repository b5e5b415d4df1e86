#!/usr/bin/env bash
# The audit part of `make bench` (issue 15), inside the same throwaway cluster as
# bench/run.sh, in a database of its own: `fkbackfill audit --all` on a generated catalog
# of 1,500 tables (1,000 plain, 100 partitioned with 400 partitions) and 2,500 FKs
# (bench/audit-catalog.sql), empty, then with 1M rows in six of its tables
# (bench/audit-rows.sql), and once with data checks on. Median seconds and the highest
# peak RSS of RUNS runs each; the run time must not grow with the rows. The HTML report
# is also loaded in headless Chromium (issue 27), when it is installed.
#
#   BENCH_RUNS=5 bench/audit.sh    (FKBACKFILL_BIN and PG* as bench/run.sh has them)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${FKBACKFILL_BIN:-$here/.build/release/fkbackfill}
runs=${BENCH_RUNS:-5}
work="$here/.tmp/bench"
mkdir -p "$work"
psql_bin=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1)
export PGDATABASE=fkb_audit_bench
psql() { PGOPTIONS="-c client_min_messages=warning" "${psql_bin:-psql}" -q -X -v ON_ERROR_STOP=1 "$@"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

psql -d postgres -c "DROP DATABASE IF EXISTS fkb_audit_bench" -c "CREATE DATABASE fkb_audit_bench"
echo "== audit: 1,500 tables, 2,500 foreign keys" >&2
psql -f "$here/bench/audit-catalog.sql" >/dev/null

# Runs `audit --all` RUNS times with the given options; prints "median_seconds
# median_user_cpu_seconds peak_MiB output_lines" (the CPU time shows what is ours when
# other work shares the machine).
measure() {
    local seconds=() cpu=() peak=0 s u kib
    for _ in $(seq 1 "$runs"); do
        /usr/bin/time -f "%e %U %M" -o "$work/audit-time.txt" "$bin" audit --all "$@" >"$work/audit-out.txt" 2>"$work/audit-err.txt" || {
            [ $? -eq 1 ] || { cat "$work/audit-err.txt" >&2; return 1; }; }
        read -r s u kib <"$work/audit-time.txt"
        seconds+=("$s"); cpu+=("$u")
        [ "$kib" -gt "$peak" ] && peak=$kib
    done
    echo "$(median "${seconds[@]}") $(median "${cpu[@]}") $((peak / 1024)) $(wc -l <"$work/audit-out.txt")"
}

report() { # label, then measure's output
    read -r s u mib lines <<<"$2"
    printf '| %s | %s s | %s s | %s MiB | %s |\n' "$1" "$s" "$u" "$mib" "$lines"
}

echo
echo "audit --all, 1,500 tables and 2,500 FKs ($runs runs; median time, highest peak RSS):"
echo
echo "| catalog | time | fkbackfill CPU | peak RSS | output lines |"
echo "|---|---:|---:|---:|---:|"
report "empty, text" "$(measure)"
report "empty, json" "$(measure --format json)"
report "empty, html" "$(measure --format html)"
# The HTML report in headless Chromium (issue 27: under 3 s to load, under 10 MB): the
# page's own navigation timing (DOMContentLoaded, load, first paint), read by a probe
# appended to a copy of the page, median of RUNS loads.
if command -v chromium >/dev/null 2>&1; then
    "$bin" audit --all --format html >"$work/audit.html" || [ $? -eq 1 ]
    probe="<script>addEventListener('load',function(){setTimeout(function(){var n=performance.getEntriesByType('navigation')[0],p=performance.getEntriesByType('paint')[0];var d=document.createElement('pre');d.id='probe';d.textContent=Math.round(n.domContentLoadedEventEnd)+' '+Math.round(n.loadEventEnd)+' '+(p?Math.round(p.startTime):-1)+' '+document.getElementsByTagName('*').length;document.body.appendChild(d)},0)})</script></body>"
    sed "s#</body>#$probe#" "$work/audit.html" >"$work/audit-probe.html"
    dcl=() load=() paint=() nodes=0
    for _ in $(seq 1 "$runs"); do
        read -r d l p nodes < <(HOME="$work" chromium --headless --no-sandbox --disable-gpu --user-data-dir="$work/chromium" \
            --virtual-time-budget=10000 --dump-dom "file://$work/audit-probe.html" 2>/dev/null | sed -n 's#.*<pre id="probe">\([^<]*\)</pre>.*#\1#p')
        dcl+=("$d"); load+=("$l"); paint+=("$p")
    done
    rm -rf "$work/chromium"
    echo
    echo "audit --all --format html in headless Chromium: $(($(wc -c <"$work/audit.html") / 1024)) KiB, $nodes elements;" \
        "median DOMContentLoaded $(median "${dcl[@]}") ms, load $(median "${load[@]}") ms, first paint $(median "${paint[@]}") ms"
    echo
fi
echo "   (filling 6 tables with 1M rows each)" >&2
psql -f "$here/bench/audit-rows.sql" >/dev/null
report "1M rows in 6 tables, text" "$(measure)"
report "1M rows in 6 tables, json" "$(measure --format json)"
report "1M rows, --sample-rows 10000" "$(measure --sample-rows 10000)"
report "1M rows, --time-budget 2" "$(measure --time-budget 2)"
psql -d postgres -c "DROP DATABASE fkb_audit_bench" >/dev/null 2>&1 || true
