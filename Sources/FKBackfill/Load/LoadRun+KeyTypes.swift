import PostgresClient

/// Keys no parent row could ever hold: a cross-type FK whose referenced column is
/// narrower than the input's (`bigint` → `integer`, `text` → `varchar(8)`). PostgreSQL's
/// own check would find no parent for such a row, and a backfill could not insert one
/// (the value does not fit), so the row is set aside with its line like any bad row,
/// instead of the run failing on "integer out of range" without one.
extension LoadRun {
    func markKeysThatCannotFit() throws {
        var functions = 0
        for fk in plan.stagedKeys where !fk.declared {
            guard let parent = catalog.table(fk.referencedTable) else { continue }
            for (child, referenced) in zip(fk.columns, fk.referencedColumns) {
                guard let staged = plan.stagedColumns.first(where: { $0.name == child }),
                      let target = parent.columns.first(where: { $0.name == referenced }), staged.type != target.type else { continue }
                let value: SQL = "CAST(x.\(ident: child) AS text)"
                let fits: SQL
                let why: String
                if let length = TextStaging.maxLength(target) {
                    // As assignment to varchar(n)/char(n) does: trailing spaces may be cut.
                    fits = "char_length(rtrim(d.v, ' ')) <= \(int: length)"
                    why = "longer than \(length) characters"
                } else if target.type.hasPrefix("character") || target.type == "text" {
                    continue
                } else {
                    // The body is a quoted literal; the type is format_type's own spelling.
                    let body = "BEGIN PERFORM CAST(value AS \(target.sqlType)); RETURN true; EXCEPTION WHEN others THEN RETURN false; END"
                    let function: SQL = "pg_temp.fkb_fits_\(int: functions)"
                    functions += 1
                    try session.execute("CREATE OR REPLACE FUNCTION \(function)(value text) RETURNS boolean LANGUAGE plpgsql "
                        + "SET search_path = pg_catalog, pg_temp AS \(literal: body)")
                    fits = "\(function)(d.v)"
                    why = "not a valid \(target.type)"
                }
                let keys = KeyPredicates.columns("x", fk.columns)
                var missing: SQL = "x._fkb_reject IS NULL AND x.\(ident: child) IS NOT NULL AND " + KeyPredicates.missing(fk, child: keys)
                if let routed = plan.routeCondition(of: fk) { missing += " AND \(routed)" }
                try updateStage(sql.reject(
                    where: "CAST(s.\(ident: child) AS text) IN (SELECT d.v FROM (SELECT DISTINCT \(value) AS v FROM \(LoadStatements.stage) x "
                        + "WHERE \(missing)) d WHERE NOT \(fits))",
                    reason: "key (\(child)) cannot exist in \(parent.name.display).\(referenced): \(why)"))
            }
        }
    }
}
