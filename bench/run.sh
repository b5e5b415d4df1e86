#!/usr/bin/env bash
# The benchmark `make bench` runs, inside a throwaway cluster (scripts/pg-cluster.sh):
# for each size, the median of RUNS runs of plain \copy (FKs on, parents present),
# \copy with FK triggers off, fkbackfill load per-row and set-based, and fkbackfill
# validate against the anti-join dbt's relationships test compiles to. Then ratios,
# peak RSS, and `graph` on a catalog of 5,000 tables and 20,000 FKs.
#
#   BENCH_SIZES="100000 1000000" BENCH_RUNS=5 make bench
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${FKBACKFILL_BIN:-$here/.build/release/fkbackfill}
sizes=${BENCH_SIZES:-100000 1000000}
runs=${BENCH_RUNS:-5}
work="$here/.tmp/bench"
mkdir -p "$work"
psql_bin=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1)
psql() { PGOPTIONS="-c client_min_messages=warning" "${psql_bin:-psql}" -q -X -v ON_ERROR_STOP=1 "$@"; }
columns="month,business,kind,plan_code,portfolio_code,customer,opening,closing,income,org_code,product_line_code"

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc -l; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { echo "scale=3; $1 / $2" | bc -l | sed 's/^\./0./'; }

reset() { # base | full
    psql -c "TRUNCATE bench.fact, bench.portfolio, bench.plan, bench.org, bench.product_line RESTART IDENTITY" \
         -c "INSERT INTO bench.plan SELECT * FROM bench_base.plan_$1" \
         -c "INSERT INTO bench.portfolio SELECT * FROM bench_base.portfolio_$1" \
         -c "INSERT INTO bench.org SELECT * FROM bench_base.org_$1" \
         -c "INSERT INTO bench.product_line SELECT * FROM bench_base.product_line_$1" \
         -c "VACUUM ANALYZE bench.plan, bench.portfolio, bench.org, bench.product_line, bench.fact" -c "CHECKPOINT"
}

# Runs fkbackfill under /usr/bin/time; prints "seconds peak_kib".
timed_tool() {
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$bin" "$@" >"$work/out.txt" 2>"$work/err.txt" || {
        cat "$work/err.txt" >&2; return 1; }
    cat "$work/time.txt"
}

echo "Setting up the benchmark schema…" >&2
psql -f "$here/bench/schema.sql" >/dev/null
report="$work/results.md"
{
    echo "| rows | 1 copy, FKs on | 2 copy, FK triggers off | 3 load per-row | 4 load set-based | 5 validate | hand-written anti-join | 3/1 | 4/1 | 4/2 | 5/hand | peak RSS (3 / 4 / 5) |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
} >"$report"

for rows in $sizes; do
    echo "== $rows rows: generating data" >&2
    csv="$work/facts-$rows.csv"
    psql -v rows="$rows" -f "$here/bench/facts.sql" >"$csv"
    # The staged copy validate and the hand-written anti-joins read. VACUUM settles it
    # (hint bits set), so neither pays the first reader's writes.
    psql -c "DROP TABLE IF EXISTS bench.fact_staged" \
         -c "CREATE TABLE bench.fact_staged AS SELECT $columns FROM bench.fact WITH NO DATA" \
         -c "\\copy bench.fact_staged ($columns) FROM '$csv' WITH (FORMAT csv, HEADER)" \
         -c "VACUUM ANALYZE bench.fact_staged"
    # Parents as they are before the load (base), and with every key of the data (full).
    psql <<SQL
DROP TABLE IF EXISTS bench_base.plan_base, bench_base.portfolio_base, bench_base.org_base, bench_base.product_line_base,
                     bench_base.plan_full, bench_base.portfolio_full, bench_base.org_full, bench_base.product_line_full;
CREATE TABLE bench_base.plan_base AS SELECT * FROM bench_base.plan;
CREATE TABLE bench_base.portfolio_base AS SELECT * FROM bench_base.portfolio;
CREATE TABLE bench_base.org_base AS SELECT * FROM bench_base.org;
CREATE TABLE bench_base.product_line_base AS SELECT * FROM bench_base.product_line;
CREATE TABLE bench_base.plan_full AS SELECT * FROM bench_base.plan UNION ALL
    SELECT DISTINCT plan_code, NULL, NULL, NULL FROM bench.fact_staged WHERE plan_code NOT IN (SELECT code FROM bench_base.plan);
CREATE TABLE bench_base.portfolio_full AS SELECT * FROM bench_base.portfolio UNION ALL
    SELECT DISTINCT ON (portfolio_code) portfolio_code, plan_code, NULL, NULL FROM bench.fact_staged
    WHERE portfolio_code NOT IN (SELECT code FROM bench_base.portfolio);
CREATE TABLE bench_base.org_full AS SELECT * FROM bench_base.org UNION ALL
    SELECT DISTINCT org_code, NULL FROM bench.fact_staged WHERE org_code NOT IN (SELECT code FROM bench_base.org);
CREATE TABLE bench_base.product_line_full AS SELECT * FROM bench_base.product_line UNION ALL
    SELECT DISTINCT product_line_code, NULL FROM bench.fact_staged WHERE product_line_code NOT IN (SELECT code FROM bench_base.product_line);
SQL
    t1=(); t2=(); t3=(); t4=(); t5=(); th=(); m3=(); m4=(); m5=()
    for run in $(seq 1 "$runs"); do
        echo "   run $run: copy" >&2
        reset full
        start=$(now); psql -c "\\copy bench.fact ($columns) FROM '$csv' WITH (FORMAT csv, HEADER)"; t1+=("$(elapsed "$start")")
        reset full
        psql -c "ALTER TABLE bench.fact DISABLE TRIGGER ALL"
        start=$(now); psql -c "\\copy bench.fact ($columns) FROM '$csv' WITH (FORMAT csv, HEADER)"; t2+=("$(elapsed "$start")")
        psql -c "ALTER TABLE bench.fact ENABLE TRIGGER ALL"
        echo "   run $run: fkbackfill load" >&2
        reset base
        read -r seconds kib < <(timed_tool load bench.fact --csv "$csv" --fk-check per-row); t3+=("$seconds"); m3+=("$kib")
        reset base
        read -r seconds kib < <(timed_tool load bench.fact --csv "$csv" --fk-check set-based); t4+=("$seconds"); m4+=("$kib")
        grep -q "FK check: set-based" "$work/out.txt" || { echo "set-based path not taken" >&2; exit 1; }
        echo "   run $run: validate" >&2
        reset base
        # Whichever reads the staged table first after a reset runs 5-10% slower; a
        # warm-up read before each of the two keeps the order from deciding the ratio.
        warm() { psql -c "SELECT count(*) FROM bench.fact_staged" >/dev/null; }
        warm
        read -r seconds kib < <(timed_tool validate bench.fact --source bench.fact_staged || true); t5+=("$seconds"); m5+=("$kib")
        warm
        start=$(now)
        psql -c "SELECT count(*) FROM (SELECT plan_code AS f FROM bench.fact_staged WHERE plan_code IS NOT NULL) c LEFT JOIN bench.plan p ON c.f = p.code WHERE p.code IS NULL" \
             -c "SELECT count(*) FROM (SELECT portfolio_code AS f FROM bench.fact_staged WHERE portfolio_code IS NOT NULL) c LEFT JOIN bench.portfolio p ON c.f = p.code WHERE p.code IS NULL" \
             -c "SELECT count(*) FROM (SELECT org_code AS f FROM bench.fact_staged WHERE org_code IS NOT NULL) c LEFT JOIN bench.org p ON c.f = p.code WHERE p.code IS NULL" \
             -c "SELECT count(*) FROM (SELECT product_line_code AS f FROM bench.fact_staged WHERE product_line_code IS NOT NULL) c LEFT JOIN bench.product_line p ON c.f = p.code WHERE p.code IS NULL" >/dev/null
        th+=("$(elapsed "$start")")
    done
    c1=$(median "${t1[@]}"); c2=$(median "${t2[@]}"); c3=$(median "${t3[@]}"); c4=$(median "${t4[@]}"); c5=$(median "${t5[@]}"); ch=$(median "${th[@]}")
    rss="$(( $(median "${m3[@]}") / 1024 )) / $(( $(median "${m4[@]}") / 1024 )) / $(( $(median "${m5[@]}") / 1024 )) MiB"
    printf '| %s | %.2f s | %.2f s | %.2f s | %.2f s | %.2f s | %.2f s | %s | %s | %s | %s | %s |\n' \
        "$rows" "$c1" "$c2" "$c3" "$c4" "$c5" "$ch" "$(ratio "$c3" "$c1")" "$(ratio "$c4" "$c1")" "$(ratio "$c4" "$c2")" \
        "$(ratio "$c5" "$ch")" "$rss" >>"$report"
    rm -f "$csv"
done

echo "== catalog: 5,000 tables, 20,000 foreign keys" >&2
psql -f "$here/bench/catalog.sql" >/dev/null
g=()
for run in $(seq 1 "$runs"); do
    read -r seconds kib < <(timed_tool graph bench_catalog.t4999); g+=("$seconds")
done
tables=$(head -1 "$work/out.txt")
{
    echo
    echo "graph bench_catalog.t4999 (${tables#*: }): median $(median "${g[@]}") s over $runs runs"
} >>"$report"
psql -c "DROP SCHEMA bench_catalog CASCADE" >/dev/null 2>&1 || true

echo
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB, $("${psql_bin:-psql}" --version), $(swift --version 2>/dev/null | head -1)"
echo
cat "$report"
