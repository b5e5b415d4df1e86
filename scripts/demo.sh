#!/usr/bin/env bash
# The demo `make demo` runs inside a throwaway cluster: create the example annuity
# schema, then show what fkbackfill discovers about the fact table.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${FKBACKFILL_BIN:-$here/.build/debug/fkbackfill}
psql_bin=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1)
psql_bin=${psql_bin:-psql}

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

"$psql_bin" -q -v ON_ERROR_STOP=1 -f "$here/examples/annuity/schema.sql"

step fkbackfill fks business.规模明细
"$bin" fks business.规模明细
step fkbackfill graph business.规模明细
"$bin" graph business.规模明细
step fkbackfill graph business.规模明细 --format mermaid
"$bin" graph business.规模明细 --format mermaid
if command -v dot >/dev/null 2>&1; then
    mkdir -p "$here/.tmp"
    "$bin" graph business.规模明细 --format dot | dot -Tsvg -o "$here/.tmp/demo-graph.svg"
    echo
    echo "Graphviz picture of the graph: .tmp/demo-graph.svg"
fi
