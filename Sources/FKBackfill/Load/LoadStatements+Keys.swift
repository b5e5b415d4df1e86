import PostgresClient

/// Finding the keys each parent lacks, and the rows and values behind them.
extension LoadStatements {
    /// The FK whose operators compare the parent's key with the keys the load asks for:
    /// the first that references it (every source FK of a parent points at the same key).
    func keyForeignKey(_ parent: ParentPlan) -> ForeignKey? {
        parent.sources.first?.foreignKey
    }

    /// For each key column, `pick`'s operator of the source chosen for it
    /// (`ParentPlan.keyOperatorSources`: a composite key's wide types may be spread over
    /// its FKs), at that column's pair; the built-in equality for a parent with no source.
    func keyOperators(_ parent: ParentPlan, _ pick: (ForeignKey, Int) -> SQLOperator) -> [SQLOperator] {
        guard let first = keyForeignKey(parent) else { return parent.keyColumns.map { _ in .builtinEquality } }
        return parent.keyColumns.indices.map { position in
            let chosen = parent.keyOperatorSources.indices.contains(position) ? parent.keyOperatorSources[position] : 0
            let fk = parent.sources.indices.contains(chosen) ? parent.sources[chosen].foreignKey : first
            return pick(fk, keyPositions(parent, fk)[position])
        }
    }

    /// For each of the parent's key columns, its position in `fk`'s column pairs.
    func keyPositions(_ parent: ParentPlan, _ fk: ForeignKey) -> [Int] {
        // The planner only gives a parent FKs onto its key columns: every one is found.
        parent.keyColumns.map { key in fk.referencedColumns.firstIndex(of: key) ?? 0 }
    }

    /// The parent's key columns of `alias` equal to `k1…` of `keys`, with the FK's
    /// referenced-to-referencing operators.
    /// `columns` names `other`'s columns when they are not `k1…` (`fkb_new_N`'s).
    /// `collated`: `alias` is a copy typed by the type alone (the stage), which compares
    /// under the key column's own collation only when told (review 21: a nondeterministic
    /// collation's 'BOSS' found no 'Boss' in the stage, and the load refused what PostgreSQL takes).
    func parentKeyMatch(_ parent: ParentPlan, table alias: SQL, keys other: SQL, columns: [String]? = nil, collated: Bool = false) -> SQL {
        let operators = keyOperators(parent) { fk, pair in fk.equality[pair] }
        return parent.keyColumns.enumerated().map { position, name -> SQL in
            let right: SQL = columns.map { "\(other).\(identifier($0[position]))" } ?? "\(other).\(Self.keyColumn(position))"
            let left: SQL = "\(alias).\(identifier(name))"
            return operators[position].compare(collated ? parent.table.column(name)?.collated(left) ?? left : left, right)
        }.joined(separator: " AND ")
    }

    /// `k1…` of two work tables equal, with the referencing side's operators.
    func keyJoin(_ left: SQL, _ right: SQL, _ parent: ParentPlan) -> SQL {
        keyJoin(left: kList(left, parent), right: kList(right, parent), parent)
    }

    /// Key values `left` equal to `right`, position by position, with the referencing
    /// side's operators (both sides are values of referencing columns).
    func keyJoin(left: [SQL], right: [SQL], _ parent: ParentPlan) -> SQL {
        let operators = keyOperators(parent) { fk, pair in fk.childEquality[pair] }
        return parent.keyColumns.indices.map { position -> SQL in
            operators[position].compare(left[position], right[position])
        }.joined(separator: " AND ")
    }

    /// The keys one source asks the parent for (`rows` false: `SELECT k1…`), or the staged
    /// rows behind them (`rows` true: `SELECT _fkb_row, _fkb_tid, k1…`, NULL and blank
    /// keys left for the join to the keys table to drop). Nil when the key values are not
    /// known before insert (they come from a default).
    func sourceSelect(_ source: KeySource, for parent: ParentPlan, rows: Bool, previous: Set<Int> = []) -> SQL? {
        let fk = source.foreignKey
        // Key position m of the parent is referenced by fk.columns[p] where referencedColumns[p] == key m.
        let childColumns = keyPositions(parent, fk).map { fk.columns[$0] }
        switch source.origin {
        case .staged where rows:
            let select = childColumns.enumerated().map { position, name -> SQL in "s.\(identifier(name)) AS \(Self.keyColumn(position))" }
            let routed: SQL = plan.routeCondition(of: fk).map { " AND \($0)" } ?? ""
            return "SELECT s._fkb_row, s.ctid AS _fkb_tid, \(select.joined(separator: ", ")) FROM \(Self.stage) s WHERE s._fkb_reject IS NULL" + routed
        case .staged:
            let select = childColumns.enumerated().map { position, name -> SQL in "g.\(identifier(name)) AS \(Self.keyColumn(position))" }
            let usable = childColumns.map { name -> SQL in "g.\(identifier(name)) IS NOT NULL AND NOT \(isBlank("g.\(identifier(name))"))" }
            return "SELECT \(select.joined(separator: ", ")) FROM \(seenKeys(for: fk)) AND \(usable.joined(separator: " AND "))"
        case .parent(let index):
            let child = plan.parents[index]
            var expressions: [SQL] = []
            for column in childColumns {
                guard let expression = valueExpression(of: column, in: child) else { return nil }
                expressions.append(child.mode == .fillNullOnly ? "coalesce(c.\(identifier(column)), \(expression))" : expression)
            }
            let existing: SQL = child.mode == .fillNullOnly
                ? " LEFT JOIN \(child.table.name.sql) c ON " + childKeyMatch(child)
                : ""
            let select = expressions.enumerated().map { position, expression -> SQL in "\(expression) AS \(Self.keyColumn(position))" }
            let usable = expressions.map { expression -> SQL in "\(expression) IS NOT NULL AND NOT \(isBlank(expression))" }
            let values = Self.values(index, previous: previous.contains(index))
            if !rows {
                // The keys alone come from the values: each of its rows was grouped from
                // at least one row of refs, so joining refs only repeated every key once
                // per staged row behind it (100,000 rows for 2,000 keys at 100% new keys).
                return "SELECT \(select.joined(separator: ", ")) FROM \(values) v" + existing + " WHERE " + usable.joined(separator: " AND ")
            }
            return "SELECT r._fkb_row, r._fkb_tid, \(select.joined(separator: ", ")) FROM \(refRows(of: child, previous: previous.contains(index))) r "
                + "JOIN \(values) v ON "
                + keyJoin("v", "r", child) + existing + " WHERE " + usable.joined(separator: " AND ")
        }
    }

    /// The existing row `c` of a fill-mode parent behind its `fkb_val` row `v`.
    func childKeyMatch(_ parent: ParentPlan) -> SQL {
        parentKeyMatch(parent, table: "c", keys: "v")
    }

    /// Where a column of a new row of `parent` can be read in its `fkb_val` table.
    func valueExpression(of column: String, in parent: ParentPlan) -> SQL? {
        if let position = parent.keyColumns.firstIndex(of: column) { return "v.\(Self.keyColumn(position))" }
        if let position = parent.derivedColumns.firstIndex(where: { $0.column.name == column }) { return "v.\(Self.derivedColumn(position))" }
        return nil
    }

    /// The sources whose tables exist by now (in a cycle's first round, some do not yet).
    /// `previous` holds the parents whose last round's tables were kept as `_prev`.
    func sourceSelects(for parent: ParentPlan, available: Set<Int>, rows: Bool, previous: Set<Int> = []) -> [SQL] {
        parent.sources.compactMap { source in
            if case .parent(let index) = source.origin, !available.contains(index) { return nil }
            return sourceSelect(source, for: parent, rows: rows, previous: previous)
        }
    }

    /// Whether the parent's own new rows give it keys (a self-reference a rule fills).
    func feedsItself(_ parent: ParentPlan) -> Bool {
        parent.sources.contains { $0.origin == .parent(index: parent.index) }
    }

    /// Keeps a self-fed parent's tables of the last round as `_prev` (its next keys are
    /// read from them) and drops its keys table.
    func keepPrevious(_ parent: ParentPlan) -> [SQL] {
        let i = parent.index
        // RENAME TO takes a bare name (no schema); it is built of a constant and a parent's
        // index, an Int: nothing of the input's, so raw text is safe.
        return [
            "DROP TABLE IF EXISTS \(Self.keys(i)), \(Self.refs(i, previous: true)), \(Self.values(i, previous: true))",
            "ALTER TABLE \(Self.refs(i)) RENAME TO \(unsafeRaw: "fkb_ref_\(i)_prev")",
            "ALTER TABLE \(Self.values(i)) RENAME TO \(unsafeRaw: "fkb_val_\(i)_prev")",
        ]
    }

    /// Whether anything looks at the staged rows behind the parent's keys: its derived
    /// columns, or a parent of its own whose keys come from its new rows.
    func needsRefs(_ parent: ParentPlan) -> Bool {
        !parent.derivedColumns.isEmpty || feedsParent(parent)
    }

    /// Whether a parent's keys come from this parent's new rows (its refs and values).
    func feedsParent(_ parent: ParentPlan) -> Bool {
        plan.parents.contains { $0.sources.contains { $0.origin == .parent(index: parent.index) } }
    }

    func dropWork(_ parent: ParentPlan) -> SQL {
        "DROP TABLE IF EXISTS \(Self.keys(parent.index)), \(Self.refs(parent.index)), \(Self.values(parent.index))"
    }

    /// The UNION of every source's distinct keys, the keys table's rows: a column whose
    /// sources differ in type cast to its operator's input type where the planner says so
    /// (`LoadPlanner.keyColumnOperators`), else typed as the UNION resolves it.
    func keyUnion(_ parent: ParentPlan, sources: [SQL]) -> SQL {
        let operators = keyOperators(parent) { fk, pair in fk.childEquality[pair] }
        let list = kList("src", parent).enumerated().map { position, value -> SQL in
            guard parent.keyCastColumns.indices.contains(position), parent.keyCastColumns[position],
                  let type = operators[position].leftType else { return value }
            return "\(SQLOperator.cast(value, to: type)) AS \(Self.keyColumn(position))"
        }
        return sources.map { source -> SQL in "SELECT DISTINCT \(list.joined(separator: ", ")) FROM (\(source)) src" }
            .joined(separator: " UNION ")
    }

    /// Distinct referenced keys, each marked present or not.
    func createKeys(_ parent: ParentPlan, sources: [SQL]) -> SQL {
        let union = keyUnion(parent, sources: sources)
        var kept: SQL = ""
        if parent.isTarget && !plan.replaceBy.isEmpty {
            // A target row --replace-by deletes before the insert is no parent for the new rows.
            kept = " AND NOT EXISTS (SELECT 1 FROM \(Self.stage) r WHERE r._fkb_reject IS NULL AND \(replaceMatch("p", "r")))"
        }
        // ONLY, as the RI check reads: a key held by an inheritance child alone is missing.
        var present: SQL = "EXISTS (SELECT 1 FROM \(KeyPredicates.rows(of: parent.table)) p WHERE \(parentKeyMatch(parent, table: "p", keys: "u"))\(kept))"
        if parent.isTarget, parent.keyColumns.allSatisfy({ key in plan.stagedColumns.contains { $0.name == key } }) {
            // Only rows that will be inserted: a row set aside is no parent (issue #23, break 8).
            present += " OR EXISTS (SELECT 1 FROM \(Self.stage) s WHERE s._fkb_reject IS NULL AND \(parentKeyMatch(parent, table: "s", keys: "u", collated: true)))"
        }
        return "CREATE TEMP TABLE \(Self.keys(parent.index)) ON COMMIT DROP AS SELECT "
            + kList("u", parent).joined(separator: ", ") + ", (\(present)) AS present, \(Self.keyNumber) FROM (\(union)) u"
    }

    /// `_fkb_id`, a number per key: the values statements group a new key's rows by it
    /// (`LoadStatements+Direct`). An int4 sorts with a by-value comparator where a `ctid`
    /// calls `tidcmp` per comparison: 20 ms less per parent at 200,000 rows (issue #25).
    static let keyNumber: SQL = "CAST(pg_catalog.row_number() OVER () AS pg_catalog.int4) AS _fkb_id"


    /// Which staged rows lead to which key that needs work (missing, or in fill mode any).
    /// With `empty` (no key needs work) only the table is created: the stage is not scanned.
    func createRefs(_ parent: ParentPlan, sources: [SQL], empty: Bool = false) -> SQL {
        let filter: SQL = parent.mode == .fillNullOnly ? "" : " WHERE NOT k.present"
        let selects = sources.map { source -> SQL in
            "SELECT src._fkb_row, src._fkb_tid, \(kList("src", parent).joined(separator: ", ")) FROM (\(source)) src JOIN "
                + "\(Self.keys(parent.index)) k ON " + keyJoin("k", "src", parent) + filter
        }
        // UNION, not UNION ALL: a row can lead to the same key by two sources (a plan's
        // rows directly and through its new portfolios); counted twice, it doubled `sum`
        // and weighted `most_frequent`, and every later join read it twice.
        return "CREATE TEMP TABLE \(Self.refs(parent.index)) ON COMMIT DROP AS " + selects.joined(separator: " UNION ")
            + (empty ? " WITH NO DATA" : "")
    }

    /// One row per key needing work, with each derived column's value aggregated over the
    /// staged rows of `fkb_ref_N`. Those few rows are fetched by `ctid` (a TID scan), not
    /// found by scanning the stage again; in fill mode, where refs hold every row, by
    /// joining the stage. Without refs, just the keys. With `empty`, only the table.
    func createValues(_ parent: ParentPlan, empty: Bool = false) -> SQL {
        let create: SQL = "CREATE TEMP TABLE \(Self.values(parent.index)) ON COMMIT DROP AS SELECT "
        let noData: SQL = empty ? " WITH NO DATA" : ""
        guard needsRefs(parent) else {
            return create + (kList("k", parent) + ["NOT k.present AS _fkb_missing"]).joined(separator: ", ")
                + " FROM \(Self.keys(parent.index)) k" + (parent.mode == .fillNullOnly ? "" : " WHERE NOT k.present") + noData
        }
        if readsStageDirectly(parent) { return createDirectValues(parent, empty: empty) }
        let keyList = kList("r", parent)
        let derived = parent.derivedColumns.enumerated().map { position, column -> SQL in
            "\(derivation(column)) AS \(Self.derivedColumn(position))"
        }
        return create + (keyList + ["NOT k.present AS _fkb_missing"] + derived).joined(separator: ", ")
            + " FROM \(Self.refs(parent.index)) r JOIN \(Self.keys(parent.index)) k ON " + keyJoin("k", "r", parent)
            + (derived.isEmpty ? "" : stagedRows(parent)) + " GROUP BY "
            + (keyList + ["k.present"]).joined(separator: ", ") + noData
    }

    /// Joins the staged rows behind `fkb_ref_N r` as `s`.
    func stagedRows(_ parent: ParentPlan) -> SQL {
        if parent.mode == .fillNullOnly { return " JOIN \(Self.stage) s ON s._fkb_row = r._fkb_row" }
        return " JOIN (SELECT s.ctid AS _fkb_tid, s.* FROM \(Self.stage) s WHERE s.ctid = ANY (ARRAY(SELECT x._fkb_tid FROM "
            + "\(Self.refs(parent.index)) x))) s ON s._fkb_tid = r._fkb_tid"
    }

    func counts(_ parent: ParentPlan) -> SQL {
        "SELECT count(*) AS candidates, count(*) FILTER (WHERE present) AS present FROM \(Self.keys(parent.index))"
    }

    /// For each NOT NULL derived column, how many new rows would get NULL.
    func nullDerivations(_ parent: ParentPlan) -> SQL? {
        let checks = parent.derivedColumns.enumerated().filter { $1.column.notNull }
        guard !checks.isEmpty else { return nil }
        let counts = checks.map { position, _ -> SQL in "count(*) FILTER (WHERE \(Self.derivedColumn(position)) IS NULL) AS \(Self.derivedColumn(position))" }
        return "SELECT \(counts.joined(separator: ", ")) FROM \(Self.values(parent.index)) WHERE _fkb_missing"
    }
}
