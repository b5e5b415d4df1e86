#!/usr/bin/env bash
# The benchmark `make bench` runs, inside a throwaway cluster (scripts/pg-cluster.sh).
# Every figure is a median of BENCH_RUNS runs; compare the ratios, which come from one run.
#
#   matrix  for each size and new-key share (churn): `\copy` into the FK-constrained table
#           with every parent present, the floor (`\copy`, FK triggers off), and
#           `fkbackfill load --fk-check set-based` with the parents missing that share of
#           the keys, without rules (default derivations) and with bench/rules.yml
#           (13 derived columns across 3 parents, every pick); the load's step timings.
#   month   the real month's shape (bench/month-*.sql, 28 columns, 5 FKs, the write-up's
#           derivations, 13 derived customer columns, --replace-by month, 5% new keys)
#           against `\copy` with FKs and the floor.
#   stage   the load's "stage input" step against a plain COPY of the same file into a
#           temporary table of the same types, with and without --max-rejects and blank
#           markers.
#   validate  `fkbackfill validate --source --in-place` against the anti-joins dbt's relationships
#           test compiles to, at 1% new keys.
#   perrow  `fkbackfill load --fk-check per-row` at 1% new keys (PostgreSQL's own check).
#   catalog `fkbackfill graph` on a catalog of 5,000 tables and 20,000 FKs.
#
#   BENCH_SIZES="100000 1000000"  matrix and validate sizes
#   BENCH_RUNS=3                  runs per figure (the median is printed)
#   BENCH_CHURN="0 1 5 25 100"    new-key shares, in percent (100: empty parents)
#   BENCH_RULES="none rules"      matrix columns: default derivations, bench/rules.yml
#   BENCH_MONTH_SIZES="37000 1000000"
#   BENCH_PARTS="matrix month stage validate catalog"   (add perrow for the per-row load)
#   BENCH_QUICK=1                 a subset in about a minute: 100k rows, 1 run, churn 5
#                                 and 100, a 37,000-row month, stage, no catalog
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${FKBACKFILL_BIN:-$here/.build/release/fkbackfill}
if [ -n "${BENCH_QUICK:-}" ]; then
    : "${BENCH_SIZES:=100000}" "${BENCH_RUNS:=1}" "${BENCH_CHURN:=5 100}" "${BENCH_MONTH_SIZES:=37000}" "${BENCH_PARTS:=matrix month stage}"
fi
sizes=${BENCH_SIZES:-100000 1000000}
runs=${BENCH_RUNS:-3}
churns=${BENCH_CHURN:-0 1 5 25 100}
rulesets=${BENCH_RULES:-none rules}
month_sizes=${BENCH_MONTH_SIZES:-37000 1000000}
parts=" ${BENCH_PARTS:-matrix month stage validate catalog} "
work="$here/.tmp/bench"
mkdir -p "$work"
psql_bin=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1)
psql() { PGOPTIONS="-c client_min_messages=warning" "${psql_bin:-psql}" -q -X -v ON_ERROR_STOP=1 "$@"; }
has() { [[ "$parts" == *" $1 "* ]]; }

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc -l; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { echo "scale=3; $1 / $2" | bc -l | sed 's/^\./0./'; }
mib() { echo "$(( $1 / 1024 ))"; }

# Runs fkbackfill under /usr/bin/time with a JSON report; prints "seconds peak_kib" and
# appends the report's steps ("name<TAB>seconds") to $steps_file.
steps_file="$work/steps.tsv"
timed_tool() {
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$bin" "$@" >"$work/out.txt" 2>"$work/err.txt" || {
        cat "$work/err.txt" >&2; return 1; }
    if jq -e .steps "$work/out.txt" >/dev/null 2>&1; then
        jq -r '.steps[] | "\(.name)\t\(.seconds)"' "$work/out.txt" >>"$steps_file"
    fi
    cat "$work/time.txt"
}
# Median seconds of each step in $steps_file, as "name 0.12 s, …", steps in report order.
step_medians() {
    awk -F '\t' '{ if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } v[$1] = v[$1] " " $2 }
        END { for (i = 1; i <= n; i++) print order[i] "\t" v[order[i]] }' "$steps_file" |
    while IFS=$'\t' read -r name values; do
        # shellcheck disable=SC2086
        printf '%s %.2f; ' "$name" "$(median $values)"
    done | sed 's/; $//'
}
# Seconds of one `\copy` (psql's own \timing, so process start is not counted).
copy_seconds() { # table columns csv [setup-statement…]
    local table=$1 columns=$2 csv=$3; shift 3
    local args=()
    for statement in "$@"; do args+=(-c "$statement"); done
    psql "${args[@]}" -c "\\timing on" -c "\\copy $table ($columns) FROM '$csv' WITH (FORMAT csv, HEADER)" |
        awk '/^Time:/ { t = $2 } END { printf "%.4f\n", t / 1000 }'
}

report="$work/results.md"
: >"$report"
rm -f "$work/matrix.md" "$work/month.md" "$work/stage.md" "$work/validate.md" "$work/perrow.md"
echo "Setting up the benchmark schemas…" >&2
psql -f "$here/bench/schema.sql" >/dev/null

# --- matrix ------------------------------------------------------------------------
columns="month,business,kind,plan_code,portfolio_code,customer,opening,closing,income,org_code,product_line_code"
reset_bench() { # churn percent; 0 is every parent present
    psql -c "TRUNCATE bench.fact, bench.portfolio, bench.plan, bench.org, bench.product_line RESTART IDENTITY" \
         -c "INSERT INTO bench.plan SELECT code, name, kind, customer, main_org, businesses, portfolios_n, opening_total FROM bench_base.plan WHERE pct >= $1" \
         -c "INSERT INTO bench.portfolio SELECT code, plan_code, name, kind, low_customer, businesses, first_opening, top_closing FROM bench_base.portfolio WHERE pct >= $1" \
         -c "INSERT INTO bench.org SELECT code, name, top_business, last_customer FROM bench_base.org WHERE pct >= $1" \
         -c "INSERT INTO bench.product_line SELECT code, name FROM bench_base.product_line WHERE pct >= $1" \
         -c "VACUUM ANALYZE bench.plan, bench.portfolio, bench.org, bench.product_line, bench.fact" -c "CHECKPOINT"
}

if has matrix || has validate || has perrow; then
    for rows in $sizes; do
        echo "== $rows rows: generating data" >&2
        csv="$work/facts-$rows.csv"
        psql -v rows="$rows" -f "$here/bench/facts.sql" >"$csv"
        if has matrix; then
            for churn in $churns; do
                # The runs interleave the copies and the loads, so a busy spell on a shared
                # machine weighs on both sides of a ratio instead of on one cell.
                t_fk=(); t_floor=()
                declare -A t=() m=()
                for rules in $rulesets; do : >"$work/steps-$rules.tsv"; done
                for run in $(seq 1 "$runs"); do
                    echo "   churn $churn%, run $run: copy" >&2
                    reset_bench 0
                    t_fk+=("$(copy_seconds bench.fact "$columns" "$csv")")
                    reset_bench 0
                    t_floor+=("$(copy_seconds bench.fact "$columns" "$csv" "ALTER TABLE bench.fact DISABLE TRIGGER ALL")")
                    psql -c "ALTER TABLE bench.fact ENABLE TRIGGER ALL"
                    for rules in $rulesets; do
                        extra=(); [ "$rules" = rules ] && extra=(--rules "$here/bench/rules.yml")
                        echo "   churn $churn%, $rules, run $run: fkbackfill load" >&2
                        reset_bench "$churn"
                        steps_file="$work/steps-$rules.tsv"
                        read -r seconds kib < <(timed_tool load bench.fact --csv "$csv" --fk-check set-based --format json "${extra[@]}")
                        t[$rules]+=" $seconds"; m[$rules]+=" $kib"
                        jq -e '.fkCheck == "set-based"' "$work/out.txt" >/dev/null || { echo "set-based path not taken" >&2; exit 1; }
                        new=$(jq -r '[.parents[] | .inserted] | add' "$work/out.txt")
                    done
                done
                c_fk=$(median "${t_fk[@]}"); c_floor=$(median "${t_floor[@]}")
                for rules in $rulesets; do
                    steps_file="$work/steps-$rules.tsv"
                    # shellcheck disable=SC2086
                    c=$(median ${t[$rules]}); kib=$(median ${m[$rules]})
                    printf '| %s | %s%% | %s | %s | %.2f s | %.2f s | %.2f s | %s | %s | %s MiB | %s |\n' "$rows" "$churn" "$rules" "$new" \
                        "$c_fk" "$c_floor" "$c" "$(ratio "$c" "$c_fk")" "$(ratio "$c" "$c_floor")" "$(mib "$kib")" \
                        "$(step_medians)" >>"$work/matrix.md"
                done
                unset t m
            done
        fi
        if has validate || has perrow; then
            # validate reads a staged copy: a plain table with the target's types, vacuumed
            # (hint bits set), so neither side pays the first reader's writes.
            psql -c "DROP TABLE IF EXISTS bench.fact_staged" \
                 -c "CREATE TABLE bench.fact_staged AS SELECT $columns FROM bench.fact WITH NO DATA" \
                 -c "\\copy bench.fact_staged ($columns) FROM '$csv' WITH (FORMAT csv, HEADER)" \
                 -c "VACUUM ANALYZE bench.fact_staged"
            t5=(); th=(); t3=(); m3=(); t1=()
            for run in $(seq 1 "$runs"); do
                if has perrow; then
                    echo "   run $run: per-row load" >&2
                    reset_bench 0
                    t1+=("$(copy_seconds bench.fact "$columns" "$csv")")
                    reset_bench 1
                    read -r seconds kib < <(timed_tool load bench.fact --csv "$csv" --fk-check per-row); t3+=("$seconds"); m3+=("$kib")
                fi
                if has validate; then
                    echo "   run $run: validate" >&2
                    reset_bench 1
                    # Whichever reads the staged table first after a reset runs 5-10% slower; a
                    # warm-up read before each of the two keeps the order from deciding the ratio.
                    warm() { psql -c "SELECT count(*) FROM bench.fact_staged" >/dev/null; }
                    warm
                    read -r seconds kib < <(timed_tool validate bench.fact --source bench.fact_staged --in-place || true); t5+=("$seconds")
                    warm
                    start=$(now)
                    psql -c "SELECT count(*) FROM (SELECT plan_code AS f FROM bench.fact_staged WHERE plan_code IS NOT NULL) c LEFT JOIN bench.plan p ON c.f = p.code WHERE p.code IS NULL" \
                         -c "SELECT count(*) FROM (SELECT portfolio_code AS f FROM bench.fact_staged WHERE portfolio_code IS NOT NULL) c LEFT JOIN bench.portfolio p ON c.f = p.code WHERE p.code IS NULL" \
                         -c "SELECT count(*) FROM (SELECT org_code AS f FROM bench.fact_staged WHERE org_code IS NOT NULL) c LEFT JOIN bench.org p ON c.f = p.code WHERE p.code IS NULL" \
                         -c "SELECT count(*) FROM (SELECT product_line_code AS f FROM bench.fact_staged WHERE product_line_code IS NOT NULL) c LEFT JOIN bench.product_line p ON c.f = p.code WHERE p.code IS NULL" >/dev/null
                    th+=("$(elapsed "$start")")
                fi
            done
            if has validate; then
                c5=$(median "${t5[@]}"); ch=$(median "${th[@]}")
                printf '| %s | %.2f s | %.2f s | %s |\n' "$rows" "$c5" "$ch" "$(ratio "$c5" "$ch")" >>"$work/validate.md"
            fi
            if has perrow; then
                c1=$(median "${t1[@]}"); c3=$(median "${t3[@]}")
                printf '| %s | %.2f s | %.2f s | %s | %s MiB |\n' "$rows" "$c1" "$c3" "$(ratio "$c3" "$c1")" "$(mib "$(median "${m3[@]}")")" >>"$work/perrow.md"
            fi
        fi
        rm -f "$csv"
    done
fi

# --- month and stage ------------------------------------------------------------------
month_columns="month,business,plan_type,plan_code,plan_name,portfolio_kind,portfolio_code,portfolio_name,customer_name,opening,closing,income,inflow,outflow,benefit,fee,return_rate,org_code,org_name,product_line_code,product_line_name,region,channel,manager,contract_date,status,remark,company_id"
reset_month() { # churn percent; "full" adds the blank marker as an organisation, for \copy
    local churn=$1 blank=""
    [ "$churn" = full ] && { churn=0; blank="INSERT INTO month.org VALUES ('(空白)', NULL, NULL)"; }
    psql -c "TRUNCATE month.fact, month.portfolio, month.plan, month.org, month.product_line, month.customer RESTART IDENTITY" \
         -c "INSERT INTO month.plan SELECT code, full_name, plan_type, main_org_code, main_org, qualifications, company_id, tags, _source, _needs_review, _derived_at FROM month_base.plan WHERE pct >= $churn" \
         -c "INSERT INTO month.portfolio SELECT code, plan_code, name, kind, start_date FROM month_base.portfolio WHERE pct >= $churn" \
         -c "INSERT INTO month.org SELECT code, name, center FROM month_base.org WHERE pct >= $churn" \
         -c "INSERT INTO month.product_line SELECT code, name, category FROM month_base.product_line WHERE pct >= $churn" \
         -c "INSERT INTO month.customer SELECT name, customer_type, plan_count, main_org, main_org_code, businesses, tags, first_month, last_month, total_closing, region, channel, manager, company_id, _source FROM month_base.customer WHERE pct >= $churn" \
         ${blank:+-c "$blank"} \
         -c "VACUUM ANALYZE month.plan, month.portfolio, month.org, month.product_line, month.customer, month.fact" -c "CHECKPOINT"
}

if has month || has stage; then
    psql -f "$here/bench/month-schema.sql" >/dev/null
    printf 'blank:\n  markers: ["(空白)"]\n  on_blank: "null"\n' >"$work/blank-rules.yml"
    for rows in $month_sizes; do
        echo "== month of $rows rows: generating data" >&2
        csv="$work/month-$rows.csv"
        psql -v rows="$rows" -f "$here/bench/month-facts.sql" >"$csv"
        if has month; then
            t_fk=(); t_floor=(); t=(); m=(); : >"$steps_file"
            for run in $(seq 1 "$runs"); do
                echo "   month, run $run: copy" >&2
                reset_month full
                t_fk+=("$(copy_seconds month.fact "$month_columns" "$csv")")
                reset_month full
                t_floor+=("$(copy_seconds month.fact "$month_columns" "$csv" "ALTER TABLE month.fact DISABLE TRIGGER ALL")")
                psql -c "ALTER TABLE month.fact ENABLE TRIGGER ALL"
                echo "   month, run $run: fkbackfill load" >&2
                reset_month 5
                read -r seconds kib < <(timed_tool load month.fact --csv "$csv" --rules "$here/bench/month-rules.yml" \
                    --replace-by month --fk-check set-based --format json)
                t+=("$seconds"); m+=("$kib")
            done
            new=$(jq -r '[.parents[] | "\(.inserted)"] | join("/")' "$work/out.txt")
            c_fk=$(median "${t_fk[@]}"); c_floor=$(median "${t_floor[@]}"); c=$(median "${t[@]}")
            printf '| %s | %s | %.2f s | %.2f s | %.2f s | %s | %s | %s MiB | %s |\n' "$rows" "$new" "$c_fk" "$c_floor" "$c" \
                "$(ratio "$c" "$c_fk")" "$(ratio "$c" "$c_floor")" "$(mib "$(median "${m[@]}")")" "$(step_medians)" >>"$work/month.md"
        fi
        if has stage; then
            t_copy=()
            declare -A s=()
            for run in $(seq 1 "$runs"); do
                t_copy+=("$(copy_seconds pg_temp.plain "$month_columns" "$csv" \
                    "CREATE TEMP TABLE plain AS SELECT $(tr -d ' ' <<<"$month_columns") FROM month.fact WITH NO DATA")")
                for variant in plain max-rejects blanks both; do
                    extra=()
                    case $variant in
                        max-rejects) extra=(--max-rejects 100) ;;
                        blanks) extra=(--rules "$work/blank-rules.yml") ;;
                        both) extra=(--max-rejects 100 --rules "$work/blank-rules.yml") ;;
                    esac
                    echo "   stage $variant, run $run" >&2
                    reset_month 0
                    timed_tool load month.fact --csv "$csv" --dry-run --fk-check set-based --format json "${extra[@]}" >/dev/null
                    s[$variant]+=" $(jq -r '.steps[] | select(.name == "stage input") | .seconds' "$work/out.txt")"
                done
            done
            c_copy=$(median "${t_copy[@]}")
            for variant in plain max-rejects blanks both; do
                # shellcheck disable=SC2086
                c=$(median ${s[$variant]})
                printf '| %s | %s | %.3f s | %.3f s | %s |\n' "$rows" "$variant" "$c_copy" "$c" "$(ratio "$c" "$c_copy")" >>"$work/stage.md"
            done
            unset s
        fi
        rm -f "$csv"
    done
fi

# --- report ---------------------------------------------------------------------------
{
    if [ -s "$work/matrix.md" ]; then
        echo "Matrix (set-based load; copy = \\copy into the FK-constrained table, every parent present; floor = \\copy, FK triggers off):"
        echo
        echo "| rows | new keys | rules | parent rows inserted | copy, FKs on | floor | load | load/copy | load/floor | peak RSS | steps (s) |"
        echo "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"
        cat "$work/matrix.md"; echo
    fi
    if [ -s "$work/month.md" ]; then
        echo "Month (28 columns, 5 FKs, bench/month-rules.yml, --replace-by month, 5% new keys):"
        echo
        echo "| rows | inserted per parent | copy, FKs on | floor | load | load/copy | load/floor | peak RSS | steps (s) |"
        echo "|---:|---|---:|---:|---:|---:|---:|---:|---|"
        cat "$work/month.md"; echo
    fi
    if [ -s "$work/stage.md" ]; then
        echo "Stage input (the month's file) against a plain COPY into a temporary table of the same types:"
        echo
        echo "| rows | load options | plain COPY | stage input | stage/COPY |"
        echo "|---:|---|---:|---:|---:|"
        cat "$work/stage.md"; echo
    fi
    if [ -s "$work/validate.md" ]; then
        echo "validate --source against the hand-written anti-joins (1% new keys):"
        echo
        echo "| rows | validate | anti-joins | ratio |"
        echo "|---:|---:|---:|---:|"
        cat "$work/validate.md"; echo
    fi
    if [ -s "$work/perrow.md" ]; then
        echo "Per-row load (1% new keys) against \\copy with FKs:"
        echo
        echo "| rows | copy, FKs on | load per-row | ratio | peak RSS |"
        echo "|---:|---:|---:|---:|---:|"
        cat "$work/perrow.md"; echo
    fi
} >>"$report"
rm -f "$work/matrix.md" "$work/month.md" "$work/stage.md" "$work/validate.md" "$work/perrow.md"

if has catalog; then
    echo "== catalog: 5,000 tables, 20,000 foreign keys" >&2
    psql -f "$here/bench/catalog.sql" >/dev/null
    g=()
    for run in $(seq 1 "$runs"); do
        read -r seconds kib < <(timed_tool graph bench_catalog.t4999); g+=("$seconds")
    done
    tables=$(head -1 "$work/out.txt")
    echo "graph bench_catalog.t4999 (${tables#*: }): median $(median "${g[@]}") s over $runs runs" >>"$report"
    psql -c "DROP SCHEMA bench_catalog CASCADE" >/dev/null 2>&1 || true  # the cluster is thrown away anyway
fi

echo
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB, $("${psql_bin:-psql}" --version), $(swift --version 2>/dev/null | head -1)"
echo
cat "$report"
