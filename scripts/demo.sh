#!/usr/bin/env bash
# The demo `make demo` runs inside a throwaway cluster: create the example annuity
# schema with some reference rows, show what fkbackfill discovers, generate a monthly
# CSV whose codes are partly new, validate it, load it, load it again, audit.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${FKBACKFILL_BIN:-$here/.build/debug/fkbackfill}
psql_bin=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1)
psql_bin=${psql_bin:-psql}
psql() { "$psql_bin" -q -v ON_ERROR_STOP=1 "$@"; }

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

psql -f "$here/examples/annuity/schema.sql"
psql -f "$here/examples/annuity/reference-data.sql"

step fkbackfill graph business.规模明细
"$bin" graph business.规模明细

mkdir -p "$here/.tmp"
csv="$here/.tmp/规模明细-2024-11.csv"
psql -v month=2024-11-01 -v rows=3000 -f "$here/examples/annuity/monthly-facts.sql" >"$csv"
step "head -3 .tmp/规模明细-2024-11.csv   # $(($(wc -l <"$csv") - 1)) rows"
head -3 "$csv"

step "fkbackfill validate business.规模明细 --csv .tmp/规模明细-2024-11.csv --samples 2   # would it load? (writes nothing)"
"$bin" validate business.规模明细 --csv "$csv" --samples 2

step fkbackfill load business.规模明细 --csv .tmp/规模明细-2024-11.csv --replace-by 月度,业务类型,计划类型
"$bin" load business.规模明细 --csv "$csv" --replace-by 月度,业务类型,计划类型

step "psql -c '…'   # the new portfolios, each of a new plan"
psql -c "SELECT p.组合代码, p.年金计划号, p.组合名称, p.组合类型, j.客户名称 AS 计划客户名称
         FROM mapping.组合计划 p JOIN mapping.年金计划 j USING (年金计划号)
         WHERE p.组合代码 >= 'F01' ORDER BY 1"

step "fkbackfill load business.规模明细 --csv .tmp/规模明细-2024-11.csv --replace-by 月度,业务类型,计划类型   # again: nothing new"
"$bin" load business.规模明细 --csv "$csv" --replace-by 月度,业务类型,计划类型

step "fkbackfill audit business.规模明细   # which FKs could a load not backfill, and schema findings"
"$bin" audit business.规模明细

if command -v dot >/dev/null 2>&1; then
    "$bin" graph business.规模明细 --format dot | dot -Tsvg -o "$here/.tmp/demo-graph.svg"
    echo
    echo "Graphviz picture of the graph: .tmp/demo-graph.svg"
fi
