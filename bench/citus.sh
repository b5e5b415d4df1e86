#!/usr/bin/env bash
# The benchmark `make bench-citus` runs, inside a throwaway Citus cluster
# (scripts/citus-cluster.sh: a coordinator and two workers): the annuity example with
# its fact table distributed by 计划代码 and its mapping tables as reference tables,
# BENCH_ROWS (default 1,000,000) rows of examples/annuity/monthly-facts.sql, and:
#   1. psql \copy into the distributed table, FKs on, every parent present;
#   2. fkbackfill load --fk-check per-row (parents present);
#   3. fkbackfill load (auto: set-based on Citus, parents missing the new keys).
# Each BENCH_RUNS times (default 3), medians, and the ratios to 1.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${FKBACKFILL_BIN:-$here/.build/release/fkbackfill}
rows=${BENCH_ROWS:-1000000}
runs=${BENCH_RUNS:-3}
work="$here/.tmp/bench-citus"
mkdir -p "$work"
psql_bin=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1)
psql() { PGOPTIONS="-c client_min_messages=warning" "${psql_bin:-psql}" -q -X -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc -l; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { echo "scale=3; $1 / $2" | bc -l | sed 's/^\./0./'; }
fact='business."规模明细"'

echo "Setting up the annuity example on Citus…" >&2
psql -f "$here/examples/annuity/schema.sql" >/dev/null
psql <<SQL >/dev/null
ALTER TABLE $fact DROP CONSTRAINT "规模明细_pkey";
ALTER TABLE $fact ALTER COLUMN id DROP IDENTITY;
CREATE SEQUENCE business."规模明细_id_seq" OWNED BY $fact.id;
ALTER TABLE $fact ALTER COLUMN id SET DEFAULT nextval('business."规模明细_id_seq"');
SELECT create_reference_table('mapping."年金计划"');
SELECT create_reference_table('mapping."组合计划"');
SELECT create_reference_table('mapping."产品线"');
SELECT create_reference_table('mapping."组织架构"');
SELECT create_distributed_table('$fact', '计划代码');
SQL
psql -f "$here/examples/annuity/reference-data.sql" >/dev/null
# The parents' keys before a load, to put back before each set-based run (as literals:
# Citus refuses a DELETE of a reference table joined to a local table).
keys() { psql -Atc "SELECT string_agg(quote_literal(\"$2\"), ',') FROM mapping.\"$1\""; }
plans=$(keys 年金计划 年金计划号); portfolios=$(keys 组合计划 组合代码); lines=$(keys 产品线 产品线代码); orgs=$(keys 组织架构 机构代码)
echo "== $rows rows: generating data" >&2
csv="$work/facts-$rows.csv"
psql -v month=2024-11-01 -v rows="$rows" -f "$here/examples/annuity/monthly-facts.sql" >"$csv"
header=$(head -1 "$csv")

reset_base() {
    psql -c "TRUNCATE $fact" \
         -c "DELETE FROM mapping.\"组合计划\" WHERE \"组合代码\" NOT IN ($portfolios)" \
         -c "DELETE FROM mapping.\"年金计划\" WHERE \"年金计划号\" NOT IN ($plans)" \
         -c "DELETE FROM mapping.\"产品线\" WHERE \"产品线代码\" NOT IN ($lines)" \
         -c "DELETE FROM mapping.\"组织架构\" WHERE \"机构代码\" NOT IN ($orgs)" \
         -c "VACUUM ANALYZE $fact" -c "CHECKPOINT"
}
copy_times=(); perrow_times=(); set_times=()
for run in $(seq 1 "$runs"); do
    echo "== run $run: fkbackfill load (auto)" >&2
    reset_base
    start=$(now); "$bin" load "$fact" --csv "$csv" >"$work/set.txt"; set_times+=("$(elapsed "$start")")
    grep "FK check" "$work/set.txt" >&2
    # Every parent is now present: plain COPY, then the per-row load, on an empty table.
    psql -c "TRUNCATE $fact" -c "VACUUM ANALYZE $fact" -c "CHECKPOINT"
    echo "== run $run: \\copy, FKs on" >&2
    start=$(now); psql -c "\\copy $fact ($header) FROM '$csv' WITH (FORMAT csv, HEADER)"; copy_times+=("$(elapsed "$start")")
    psql -c "TRUNCATE $fact" -c "VACUUM ANALYZE $fact" -c "CHECKPOINT"
    echo "== run $run: fkbackfill load --fk-check per-row" >&2
    start=$(now); "$bin" load "$fact" --csv "$csv" --fk-check per-row >"$work/row.txt"; perrow_times+=("$(elapsed "$start")")
done
copy=$(median "${copy_times[@]}"); perrow=$(median "${perrow_times[@]}"); set=$(median "${set_times[@]}")
echo
echo "| rows | 1 copy into the distributed table, FKs on | 2 load per-row | 3 load auto (set-based) | 2/1 | 3/1 |"
echo "|---:|---:|---:|---:|---:|---:|"
printf '| %s | %.2f s | %.2f s | %.2f s | %s | %s |\n' "$rows" "$copy" "$perrow" "$set" "$(ratio "$perrow" "$copy")" "$(ratio "$set" "$copy")"
echo
echo "set-based step timings (last run):"; sed -n '/^Steps:/,$p' "$work/set.txt"
