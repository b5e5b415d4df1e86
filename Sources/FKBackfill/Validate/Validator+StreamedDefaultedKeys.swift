import PostgresClient

/// FKs whose columns the input lacks entirely, validated read-only. Every row the load
/// inserts takes the same DEFAULT key (`status_id integer DEFAULT 1 REFERENCES statuses`),
/// and PostgreSQL's check refuses it when no parent row has it: the load stops ("PostgreSQL's
/// FK check refused a stored row"), and the staged validate says so by evaluating the
/// default over its stage (`Prediction.defaultedKeyViolations`). Read-only, one query
/// evaluates the default, under the user's path as the insert runs it (in a savepoint,
/// nothing written), and one looks the key up, `FROM ONLY` the parent with the FK's own
/// operators. Not where the key cannot be known before the insert: a generated column, a
/// sequence or a volatile function, a domain's default, a BEFORE INSERT trigger of the
/// target (it may set the column), an FK declared on one partition (rows route to it by
/// their values), or part of the key in the input (per row: notExact names it, as before).
extension Validator {
    /// Per FK of the target whose columns the input lacks and whose DEFAULT key was
    /// evaluated: why the load stops there (nil: the key is NULL or the parent has it).
    func defaultedKeyStops(plan: LoadPlan, catalog: Catalog, constraints: TargetConstraints) throws -> [String: String?] {
        let target = plan.target
        let staged = Set(plan.stagedColumns.map(\.name))
        var stops: [String: String?] = [:]
        for fk in catalog.foreignKeys(of: target.name) where !fk.declared && fk.columns.allSatisfy({ !staged.contains($0) })
            && fk.declaredOn == target.name && plan.routeCondition(of: fk) == nil && constraints.unchangedByTriggers(fk.columns) {
            let columns = fk.columns.compactMap { target.column($0) }
            guard columns.count == fk.columns.count else { continue }
            var knowable = true
            for column in columns where knowable {
                if column.isDatabaseGenerated {
                    knowable = false
                } else if column.defaultExpression != nil {
                    knowable = try !ColumnDefaults.isVolatile(column, of: target, on: session)
                } else {
                    knowable = !column.domainDefault
                }
            }
            // A parent whose row-level security hides rows from this role may hide the key.
            guard knowable, try rowSecurityActive(catalog.table(fk.referencedTable).map { [$0] } ?? []).isEmpty,
                  let values = try defaultValues(columns) else { continue }
            stops[fk.name] = try defaultedKeyStop(fk, columns, values)
        }
        return stops
    }

    /// The DEFAULTs of `columns` as the insert computes them, as text; nil when evaluating
    /// them fails (the insert would fail too, but with what only it can say).
    func defaultValues(_ columns: [Column]) throws -> [String?]? {
        let values = columns.enumerated().map { index, column -> SQL in
            "CAST(CAST(\(column.defaultSQL ?? "NULL") AS \(column.pinnedType)) AS pg_catalog.text) AS \(ident: "v\(index)")"
        }
        do {
            let row = try session.savepoint {
                try session.underUserCodePath { try session.execute("SELECT \(values.joined(separator: ", "))").rows[0] }
            }
            return columns.indices.map { row["v\($0)"] }
        } catch let error as PostgresError where error.kind == .server {
            return nil
        }
    }

    /// Why the rows' key `values` stops the load: a MATCH FULL key partly NULL, or a
    /// complete key no row of the parent has. Nil when it passes.
    func defaultedKeyStop(_ fk: ForeignKey, _ columns: [Column], _ values: [String?]) throws -> String? {
        let nulls = values.filter { $0 == nil }.count
        let shown = "(\(fk.columns.joined(separator: ", "))) = (\(values.map { $0 ?? "NULL" }.joined(separator: ", ")))"
        let where_ = "not in the input: every row takes \(columns.count == 1 ? "its DEFAULT" : "their DEFAULTs"), key \(shown)"
        if nulls == values.count || (nulls > 0 && fk.match != .full) { return nil }
        if nulls > 0 {
            return "\(fk.columns.joined(separator: ", ")) \(where_), partly NULL, which MATCH FULL refuses: PostgreSQL's check stops the load"
        }
        let keys = zip(columns, values).map { column, value -> SQL in "CAST(\(bind: value) AS \(column.pinnedType))" }
        let missing = try session.execute("SELECT \(KeyPredicates.missing(fk, child: keys)) AS missing").rows[0].bool("missing")
        guard missing else { return nil }
        return "\(fk.columns.joined(separator: ", ")) \(where_), which \(fk.referencedTable.display) has not: "
            + "PostgreSQL's check refuses the rows and the load stops"
    }
}
