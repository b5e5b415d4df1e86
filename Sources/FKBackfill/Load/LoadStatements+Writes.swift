import PostgresClient

/// Derived values, and the statements that write: parents, deferred cycle columns,
/// fill-null-only updates, `--replace-by` deletes and the fact insert.
extension LoadStatements {
    /// The aggregate over the staged rows `s` of one key that gives a column's value.
    func derivation(_ column: ColumnPlan) -> SQL {
        switch column.source {
        case .staged(let source, _):
            // Cast to the parent column's type: an input column the target lacks is staged
            // as text when parents of different types share its name.
            return "CAST(mode() WITHIN GROUP (ORDER BY s.\(identifier(source))) AS \(column.column.derivedValueType))"
        case .rule(let rule):
            switch rule.source {
            case .from(let source, let pick): return "CAST(\(aggregate(pick, of: "s.\(identifier(source))")) AS \(column.column.derivedValueType))"
            case .value(let value): return "CAST(\(constant(value)) AS \(column.column.derivedValueType))"
            case .template(let template):
                let parts = TemplateParts.parse(template).map { part -> SQL in
                    switch part {
                    case .text(let text): constant(text)
                    case .placeholder(let name): "CAST(\(aggregate(.first, of: "s.\(identifier(name))")) AS text)"
                    }
                }
                return "CAST(concat(\(parts.joined(separator: ", "))) AS \(column.column.derivedValueType))"
            case .sql(let expression):
                // Safe as raw text: the rules file is the user's configuration, and
                // SQLExpressionCheck compiled this expression on the server first and
                // refused it unless it is one scalar value calling no volatile function
                // (but for a few value generators). It runs under the pinned search path.
                return "(\(unsafeRaw: expression))"
            case .databaseDefault, .null: return "NULL"
            }
        default:
            return "NULL"
        }
    }

    /// One `pick:` as an aggregate. `first`/`last` follow input order and skip NULLs;
    /// `max_by`/`min_by` skip NULL and blank picked values.
    func aggregate(_ pick: Pick, of value: SQL) -> SQL {
        switch pick {
        case .first: return "(array_agg(\(value) ORDER BY s._fkb_row) FILTER (WHERE \(value) IS NOT NULL))[1]"
        case .last: return "(array_agg(\(value) ORDER BY s._fkb_row DESC) FILTER (WHERE \(value) IS NOT NULL))[1]"
        case .min: return "min(\(value))"
        case .max: return "max(\(value))"
        case .mostFrequent: return "mode() WITHIN GROUP (ORDER BY \(value))"
        case .maxBy(let order), .minBy(let order):
            let direction: SQL = if case .maxBy = pick { "DESC" } else { "ASC" }
            return "(array_agg(\(value) ORDER BY s.\(identifier(order)) \(direction) NULLS LAST, s._fkb_row) "
                + "FILTER (WHERE \(value) IS NOT NULL AND NOT \(isBlank(value))))[1]"
        case .concatDistinct(let separator, let sorted):
            let text: SQL = "CAST(\(value) AS text)"
            if sorted {
                return "string_agg(DISTINCT \(text), \(constant(separator)) ORDER BY \(text))"
            }
            // First appearance order: distinct values by their first input row.
            return "(SELECT string_agg(u.v, \(constant(separator)) ORDER BY u.first_row) FROM (SELECT x.v, min(x.r) AS first_row "
                + "FROM unnest(array_agg(\(text)), array_agg(s._fkb_row)) AS x(v, r) WHERE x.v IS NOT NULL GROUP BY x.v) u)"
        case .countDistinct: return "count(DISTINCT \(value))"
        case .sum: return "sum(\(value))"
        }
    }

    /// Set union of two JSON arrays, keeping first-appearance order; a non-array value
    /// counts as a one-element array.
    /// Every name qualified: the fill-null UPDATE that uses it runs under the user's path.
    func jsonUnion(_ existing: SQL, _ added: SQL) -> SQL {
        func array(_ value: SQL) -> SQL {
            "(CASE WHEN \(value) IS NULL THEN CAST('[]' AS pg_catalog.jsonb) "
                + "WHEN pg_catalog.jsonb_typeof(CAST(\(value) AS pg_catalog.jsonb)) OPERATOR(pg_catalog.=) CAST('array' AS pg_catalog.text) "
                + "THEN CAST(\(value) AS pg_catalog.jsonb) ELSE pg_catalog.jsonb_build_array(CAST(\(value) AS pg_catalog.jsonb)) END)"
        }
        return "(SELECT coalesce(pg_catalog.jsonb_agg(u.e ORDER BY u.o), CAST('[]' AS pg_catalog.jsonb)) FROM (SELECT DISTINCT ON (x.e) x.e, x.o "
            + "FROM pg_catalog.jsonb_array_elements(\(array(existing)) OPERATOR(pg_catalog.||) \(array(added))) WITH ORDINALITY AS x(e, o) "
            + "ORDER BY x.e, x.o) u)"
    }

    func appendsJSON(_ column: ColumnPlan) -> Bool {
        if case .rule(let rule) = column.source { rule.jsonAppend } else { false }
    }

    /// The value of each of `insertedColumns` in a new row, over `fkb_val_N v`.
    func insertedValues(_ parent: ParentPlan) -> [SQL] {
        parent.insertedColumns.map { column -> SQL in
            if let mark = column.mark { return "CAST(\(constant(mark)) AS \(column.column.derivedValueType))" }
            if column.deferredUntilCycleLoaded { return "NULL" }
            let value = valueExpression(of: column.column.name, in: parent) ?? "NULL"
            if appendsJSON(column) {
                // Appending to a new row: to its default array, if it has one.
                let initial: SQL = column.column.defaultSQL.map { "(\($0))" } ?? "NULL"
                return "CAST(\(jsonUnion(initial, value)) AS \(column.column.pinnedType))"
            }
            return value
        }
    }

    /// Sets the FK columns a cycle was broken at, once every parent row exists; with
    /// `afterTarget`, those that reference the target, once the fact rows are in too.
    func restoreDeferredColumns(_ parent: ParentPlan, afterTarget: Bool = false) -> SQL? {
        let columns = parent.derivedColumns.enumerated().filter { $1.deferredUntilCycleLoaded && $1.setAfterTarget == afterTarget }
        guard !columns.isEmpty else { return nil }
        let sets = columns.map { position, column -> SQL in "\(identifier(column.column.name)) = v.\(Self.derivedColumn(position))" }
        let unset = columns.map { _, column -> SQL in "p.\(identifier(column.column.name)) IS NULL" }
        return "UPDATE \(parent.table.name.sql) AS p SET \(sets.joined(separator: ", ")) FROM \(Self.values(parent.index)) v "
            + "WHERE v._fkb_missing AND " + parentKeyMatch(parent, table: "p", keys: "v") + " AND (\(unset.joined(separator: " OR ")))"
    }

    /// `fill-null-only`: NULL columns of existing referenced rows take derived values.
    /// `throughSubquery` reads the values through `(SELECT * FROM fkb_val_N)`, which
    /// Citus plans where it refuses a join of its tables to a coordinator temp table.
    /// Runs under the user's path: the merged array's cast names its type path-safe
    /// (`PathSafeType`; a bare `jsonb` found a domain `jsonb` of a schema listed before
    /// pg_catalog, whose CHECK ran as the loading role).
    func fillNulls(_ parent: ParentPlan, throughSubquery: Bool = false) -> SQL? {
        let columns = parent.derivedColumns.enumerated().map { ($0.offset, $0.element) }
        guard !columns.isEmpty, let rows = filledRows(parent) else { return nil }
        let sets = columns.map { position, column -> SQL in
            let name = identifier(column.column.name)
            if appendsJSON(column) {
                return "\(name) = CAST(\(jsonUnion("p.\(name)", "v.\(Self.derivedColumn(position))")) AS \(PathSafeType.sql(column.column.type)))"
            }
            return "\(name) = coalesce(p.\(name), v.\(Self.derivedColumn(position)))"
        }
        let values: SQL = throughSubquery ? "(SELECT * FROM \(Self.values(parent.index)))" : Self.values(parent.index)
        return "UPDATE \(parent.table.name.sql) AS p SET \(sets.joined(separator: ", ")) FROM \(values) v WHERE " + rows
    }

    /// Locks, in key order, the existing rows `fillNulls` will change. Two loads filling
    /// overlapping parents then wait for each other instead of deadlocking, since an
    /// UPDATE alone locks rows in whatever order its plan meets them.
    func lockFilledRows(_ parent: ParentPlan) -> SQL? {
        guard let rows = filledRows(parent) else { return nil }
        return "SELECT count(*) AS n FROM (SELECT 1 FROM \(parent.table.name.sql) AS p, \(Self.values(parent.index)) v WHERE \(rows) "
            + "ORDER BY \(KeyPredicates.columns("p", parent.keyColumns).joined(separator: ", ")) FOR NO KEY UPDATE OF p) locked"
    }

    /// The existing rows of `p` joined to their `fkb_val` row `v` that get a value.
    func filledRows(_ parent: ParentPlan) -> SQL? {
        let columns = parent.derivedColumns.enumerated().map { ($0.offset, $0.element) }
        guard !columns.isEmpty else { return nil }
        let changes = columns.map { position, column -> SQL in
            let name = identifier(column.column.name)
            let value: SQL = "v.\(Self.derivedColumn(position))"
            if appendsJSON(column) {
                return "(\(value) IS NOT NULL AND NOT coalesce(CAST(p.\(name) AS pg_catalog.jsonb), CAST('[]' AS pg_catalog.jsonb)) "
                    + "OPERATOR(pg_catalog.@>) \(jsonUnion("NULL", value)))"
            }
            return "(p.\(name) IS NULL AND \(value) IS NOT NULL)"
        }
        return "NOT v._fkb_missing AND " + parentKeyMatch(parent, table: "p", keys: "v") + " AND (\(changes.joined(separator: " OR ")))"
    }

    /// The distinct replace-by values of the staged rows, hashed from their binary
    /// values (`hash_record_extended`: the same whatever the session's TimeZone or
    /// DateStyle, unlike their text), up to `limit`: what a reload locks before it deletes.
    /// The values are made distinct first, by their own equality, with which their hash
    /// agrees: building and hashing a ROW for every staged row took 20 ms of a
    /// 37,000-row month (0.4 s at a million), for its one month.
    func replaceKeys(_ columns: [String], limit: Int) -> SQL {
        let list = KeyPredicates.columns("s", columns).joined(separator: ", ")
        return "SELECT DISTINCT CAST(hash_record_extended(ROW(\(list)), 0) AS text) AS k "
            + "FROM (SELECT DISTINCT \(list) FROM \(Self.stage) s WHERE s._fkb_reject IS NULL) s ORDER BY 1 LIMIT \(bind: limit)"
    }

    /// `TargetCycle.targetFirst`: the staged values of the target's FK columns into its
    /// cycle, kept aside by the row's key, and cleared in the stage so the fact rows go in
    /// before the cycle's parents. Only rows with a key (others cannot be found again) and
    /// a key the cycle's table lacks yet: a row pointing at an existing parent keeps its
    /// value, so the UPDATE afterwards touches only the rows of new parents.
    func keepTargetCycleValues(_ cycle: TargetCycle, key: ParentPlan) -> [SQL] {
        let columns = cycle.nulledTargetColumns
        let keyed = key.keyColumns.map { "s.\(identifier($0)) IS NOT NULL" as SQL }.joined(separator: " AND ")
        let set = cycle.outOf.filter { !$0.deferrable }.map { fk -> SQL in
            "(\(KeyPredicates.missing(fk, child: KeyPredicates.columns("s", fk.columns))))"
        }.joined(separator: " OR ")
        return [
            "CREATE TEMP TABLE \(Self.targetCycleValues) ON COMMIT DROP AS SELECT s._fkb_row, "
                + KeyPredicates.columns("s", key.keyColumns + columns).joined(separator: ", ")
                + " FROM \(Self.stage) s WHERE s._fkb_reject IS NULL AND \(keyed) AND (\(set))",
            "UPDATE \(Self.stage) AS s SET \(columns.map { "\(identifier($0)) = NULL" as SQL }.joined(separator: ", ")) "
                + "FROM \(Self.targetCycleValues) c WHERE s._fkb_row OPERATOR(pg_catalog.=) c._fkb_row",
        ]
    }

    /// `TargetCycle.targetFirst`, once the cycle's parents are in: the fact rows' FK
    /// columns into the cycle take their staged values. Runs the target's UPDATE triggers
    /// and PostgreSQL's FK check on the rows it changes, as the same UPDATE in psql would.
    func restoreTargetCycleValues(_ cycle: TargetCycle, key: ParentPlan) -> SQL {
        let sets = cycle.nulledTargetColumns.map { "\(identifier($0)) = c.\(identifier($0))" as SQL }.joined(separator: ", ")
        return "UPDATE \(plan.target.name.sql) AS t SET \(sets) FROM \(Self.targetCycleValues) c WHERE "
            + parentKeyMatch(key, table: "t", keys: "c", columns: key.keyColumns)
    }

    static let targetCycleValues: SQL = "pg_temp.fkb_cycle_values"

    /// After `restoreTargetCycleValues`: the rows kept aside whose value the UPDATE did not
    /// store (`n`), the row not found or the column not the value set — a BEFORE UPDATE
    /// trigger that returned NULL, cleared it or put another key there (review 13), a
    /// row-level security policy on UPDATE that hides the row. The plain INSERT of those
    /// rows would have stored the input's value: the load stops instead of committing them
    /// without it (hostile review 11). Compared with the FK's own operator for two
    /// referencing values (`conffeqop`), as PostgreSQL compares an FK column's old and new.
    func lostTargetCycleValues(_ cycle: TargetCycle, key: ParentPlan) -> SQL {
        let kept = cycle.nulledTargetColumns.map { name -> SQL in
            let fk = cycle.outOf.first { $0.columns.contains(name) }
            let equality = fk.flatMap { fk in fk.columns.firstIndex(of: name).map { fk.childEquality[$0] } } ?? .builtinEquality
            return equality.notDistinct("t.\(identifier(name))", "c.\(identifier(name))")
        }
        return "SELECT pg_catalog.count(*) AS n FROM \(Self.targetCycleValues) c WHERE NOT EXISTS (SELECT 1 FROM "
            + "\(KeyPredicates.rows(of: plan.target)) t WHERE \(parentKeyMatch(key, table: "t", keys: "c", columns: key.keyColumns)) AND "
            + kept.joined(separator: " AND ") + ")"
    }

    func setConstraintsDeferred() -> SQL? {
        guard !plan.deferredConstraints.isEmpty else { return nil }
        let names = plan.deferredConstraints.map { fk -> SQL in "\(ident: fk.table.schema).\(ident: fk.name)" }
        return "SET CONSTRAINTS \(names.joined(separator: ", ")) DEFERRED"
    }

    /// `--replace-by`: target rows matching any staged row on these columns (NULL matches NULL).
    func deleteReplaced(_ columns: [String]) -> SQL {
        "DELETE FROM \(plan.target.name.sql) AS t USING (SELECT DISTINCT \(KeyPredicates.columns("s", columns).joined(separator: ", ")) "
            + "FROM \(Self.stage) s WHERE s._fkb_reject IS NULL) AS s WHERE \(replaceMatch("t", "s", columns: columns))"
    }

    /// A target row `left` and a row `right` agree on every `--replace-by` column, NULL
    /// matching NULL, each compared with its type's own equality (`LoadPlan.replaceEquality`):
    /// citext case-blind, a domain over ltree as ltree, whatever `=` the search path holds.
    /// A column NOT NULL in the target and every inheritance child (`LoadPlan.replaceNotNull`;
    /// `left` is the target's) cannot match by two NULLs:
    /// its plain equality, which a hash join can use. The NULL-matching OR on every column
    /// made each of these a nested loop, quadratic in an upsert by id (20,000 rows over
    /// 20,000: the DELETE 5.3 s, the staged validate's clash and delete counts 2.7 and 2.5 s).
    func replaceMatch(_ left: SQL, _ right: SQL, columns: [String]? = nil) -> SQL {
        (columns ?? plan.replaceBy).map { name -> SQL in
            let equality = plan.replaceEquality[name] ?? .builtinEquality
            let (l, r): (SQL, SQL) = ("\(left).\(identifier(name))", "\(right).\(identifier(name))")
            return plan.replaceNotNull.contains(name) ? "(\(equality.compare(l, r)))" : equality.notDistinct(l, r)
        }.joined(separator: " AND ")
    }

    /// The fact rows in input order. A stage no UPDATE has touched is stored in input
    /// order and a temporary table's sequential scan reads it in that order (no
    /// synchronized scans for local buffers), so `ordered` false spares a sort of every
    /// staged row; after an UPDATE moved rows, the ORDER BY puts them back.
    /// Extra input columns (not the target's) were staged for the backfill only.
    func insertTarget(ordered: Bool = true) -> SQL {
        let columns = plan.targetColumns.map(\.name)
        return "INSERT INTO \(plan.target.name.sql) (\(idents: columns)) SELECT \(KeyPredicates.columns("s", columns).joined(separator: ", "))"
            + " FROM \(Self.stage) s WHERE s._fkb_reject IS NULL" + (ordered ? " ORDER BY s._fkb_row" : "")
    }
}
