import PostgresClient

/// Keys no parent row could ever hold: a cross-type FK whose referenced column is
/// narrower than the input's (`bigint` → `integer`, `text` → `varchar(8)`). PostgreSQL's
/// own check would find no parent for such a row, and a backfill could not insert one
/// (the value does not fit), so the row is set aside with its line like any bad row,
/// instead of the run failing on "integer out of range" without one. So is a key the
/// parent's type would store as another value (a numeric(5,1) key given 1.25, a real key
/// given a double): the parent row would hold a key the fact row does not match.
extension LoadRun {
    func markKeysThatCannotFit() throws {
        var functions = 0
        for fk in plan.stagedKeys where !fk.declared {
            guard let parent = catalog.table(fk.referencedTable) else { continue }
            for (child, referenced) in zip(fk.columns, fk.referencedColumns) {
                guard let staged = plan.stagedColumns.first(where: { $0.name == child }),
                      let target = parent.columns.first(where: { $0.name == referenced }), staged.type != target.type else { continue }
                let value: SQL = "CAST(x.\(ident: child) AS text)"
                guard let pair = fk.columns.firstIndex(of: child) else { continue }
                let why: String
                if target.type == "text" || (target.type.hasPrefix("character") && TextStaging.maxLength(target) == nil) { continue }
                // The key as the parent column would hold it (cast as the backfill casts it;
                // NULL where it is no value of that type at all), then compared with the
                // FK's own operator as PostgreSQL's check will: a key the parent's type
                // rounds (numeric(5,1), real, timestamp(0)) or pads differently never matches.
                let typed: SQL = "CAST(d.v AS \(staged.sqlType))"
                let prefix: SQL
                if let length = TextStaging.maxLength(target) {
                    // As assignment to varchar(n)/char(n) does: trailing spaces may be cut.
                    prefix = "char_length(rtrim(d.v, ' ')) <= \(int: length) AND "
                    why = "longer than \(length) characters, or not kept exactly"
                } else {
                    prefix = ""
                    why = "not a valid \(target.type), or not kept exactly by it"
                }
                let keys = KeyPredicates.columns("x", fk.columns)
                var missing: SQL = "x._fkb_reject IS NULL AND x.\(ident: child) IS NOT NULL AND " + KeyPredicates.missing(try readable(fk), child: keys)
                if let routed = plan.routeCondition(of: fk) { missing += " AND \(routed)" }
                func reject(_ fits: SQL) throws {
                    try updateStage(sql.reject(
                        where: "CAST(s.\(ident: child) AS text) IN (SELECT d.v FROM (SELECT DISTINCT \(value) AS v FROM \(LoadStatements.stage) x "
                            + "WHERE \(missing)) d WHERE NOT (\(fits)))",
                        reason: "key (\(child)) cannot exist in \(parent.name.display).\(referenced): \(why)"))
                }
                // First as one plain statement: the cast in the SQL itself, no function call
                // per key. Only when a key is no value of the parent's type at all (the cast
                // raises, or a domain of the parent's refuses it: seed 2312009 case 464) is
                // it done again key by key, the cast caught in PL/pgSQL.
                let plain: SQL = "CAST(\(typed) AS \(target.sqlType))"
                do {
                    try session.savepoint { try reject(prefix + "(\(fk.childEquality[pair].compare(plain, typed))) IS TRUE") }
                    continue
                } catch let error as PostgresError where error.isDataException
                    || [SQLState.checkViolation, SQLState.notNullViolation].contains(error.sqlState ?? "") {}
                let body = "BEGIN RETURN CAST(value AS \(target.type)); EXCEPTION WHEN others THEN RETURN NULL; END"
                let function: SQL = "pg_temp.fkb_fits_\(int: functions)"
                functions += 1
                // The body is a quoted literal; the types are format_type's own spelling.
                try session.execute("CREATE OR REPLACE FUNCTION \(function)(value \(staged.sqlType)) RETURNS \(target.sqlType) "
                    + "LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS \(literal: body)")
                try reject(prefix + "(\(function)(\(typed)) IS NOT NULL AND (\(fk.childEquality[pair].compare("\(function)(\(typed))", typed))) IS TRUE)")
            }
        }
    }
}
