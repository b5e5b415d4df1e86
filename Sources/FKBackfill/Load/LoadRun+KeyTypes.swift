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
        for fit in plan.narrowerKeys(catalog) {
            let (fk, child, staged, target) = (fit.fk, fit.child, fit.staged, fit.parent)
            let value: SQL = "CAST(x.\(ident: child) AS text)"
            let keys = KeyPredicates.columns("x", fk.columns)
            var missing: SQL = "x._fkb_reject IS NULL AND x.\(ident: child) IS NOT NULL AND " + KeyPredicates.missing(try readable(fk), child: keys)
            if let routed = plan.routeCondition(of: fk) { missing += " AND \(routed)" }
            func reject(_ fits: SQL) throws {
                try updateStage(sql.reject(
                    where: "CAST(s.\(ident: child) AS text) IN (SELECT d.v FROM (SELECT DISTINCT \(value) AS v FROM \(LoadStatements.stage) x "
                        + "WHERE \(missing)) d WHERE NOT (\(fits)))",
                    reason: fit.reason))
            }
            // First as one plain statement: the cast in the SQL itself, no function call
            // per key. Only when a key is no value of the parent's type at all (the cast
            // raises, or a domain of the parent's refuses it: seed 2312009 case 464) is
            // it done again key by key, the cast caught in PL/pgSQL.
            // A cast that may run the user's code (a parent's domain whose CHECK calls their
            // function) is not made in this statement, under the pinned path, but in the
            // function below, under the user's.
            if !fit.runsUserCode {
                do {
                    try session.savepoint { try reject(fit.fits("d.v")) }
                    continue
                } catch let error as PostgresError where error.isDataException
                    || [SQLState.checkViolation, SQLState.notNullViolation].contains(error.sqlState ?? "") {}
            }
            let typed: SQL = "CAST(d.v AS \(staged.sqlType))"
            let prefix: SQL = TextStaging.maxLength(target).map { "pg_catalog.char_length(pg_catalog.rtrim(d.v, ' ')) OPERATOR(pg_catalog.<=) \(int: $0) AND " } ?? ""
            let body = "BEGIN RETURN CAST(value AS \(PathSafeType.text(target.type))); EXCEPTION WHEN others THEN RETURN NULL; END"
            let function: SQL = "pg_temp.fkb_fits_\(int: functions)"
            functions += 1
            // The body is a quoted literal; the types are format_type's own spelling, path-safe:
            // created under the user's path, which it keeps (`FROM CURRENT`), so the cast
            // runs the domain's CHECK as the parent's insert will.
            // It returns the value in the domain's base type: a NULL (the key that does not
            // fit) returned as the domain would meet its CHECK again, which may refuse NULL.
            try TextStaging.castsUnderUserPath(on: session) {
                try session.execute("CREATE OR REPLACE FUNCTION \(function)(value \(PathSafeType.sql(staged.type))) "
                    + "RETURNS \(PathSafeType.sql(target.domainBaseType ?? target.type)) "
                    + "LANGUAGE plpgsql SET search_path FROM CURRENT AS \(literal: body)")
            }
            try reject(prefix + "(\(function)(\(typed)) IS NOT NULL AND (\(fit.matches("\(function)(\(typed))", typed))) IS TRUE)")
        }
    }
}
