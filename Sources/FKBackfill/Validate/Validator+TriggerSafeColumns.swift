import PostgresClient

/// The target's columns its BEFORE INSERT triggers leave as the input gives them, read
/// from the triggers' source (`ParentColumnFacts`), for read-only validate. With any such
/// trigger, every check of the target's rows was left to the insert ("not checked, a
/// BEFORE INSERT trigger may change the rows first"): a file with a repeated id, checked
/// on a standby, "would load" where the load stops — though the trigger was an
/// `updated_at` stamp, as on most tables of real schemas. A unique key, CHECK, partial
/// index or DEFAULT-filled FK over columns no trigger assigns sees what the insert sees,
/// so those are checked again. Nothing is vouched for where a trigger may skip the row
/// (`RETURN NULL`, a rule DO INSTEAD), is not PL/pgSQL (not read), or may write besides
/// its row (`ParentColumnFacts.writesElsewhere`: a DELETE of the clashing row, an
/// "upsert" trigger, would make a clash no clash).
extension Validator {
    /// The columns of `target` that no BEFORE INSERT trigger may change (`untouched`: empty
    /// when a trigger may skip rows, is not read, or writes elsewhere) and those none
    /// assigns (`unassigned`: empty only when one may skip rows or is not read — the sweep
    /// of a GitLab-style schema: `issues_before` calls `next_iid()`, which writes, and a
    /// CHECK of a column it never touches went unevaluated).
    /// `neverAssigned`: those none assigns, whether or not one may skip the row (what
    /// `--max-rejects` judges on the input's values, `TargetConstraints.setAsideOnInput`).
    func triggerSafeColumns(_ target: Table) throws -> (untouched: Set<String>, unassigned: Set<String>, neverAssigned: Set<String>) {
        let facts = try ParentColumnFacts.read([target], on: session)
        let name = target.name
        let unassigned = facts.unassigned(target)
        guard !unassigned.isEmpty, (facts.sideEffects[name] ?? []).isEmpty,
              try !(facts.calls[name] ?? []).contains(where: callsWritingCode) else { return ([], unassigned, facts.neverAssigned(target)) }
        return (unassigned, unassigned, facts.neverAssigned(target))
    }

    /// Whether a trigger's code may write besides its row (hostile review 16): it calls a
    /// VOLATILE function of the user's (a `purge_old(NEW.id)` that deletes the row the input
    /// clashes with), or INSERTs into a table that is not found or has rules or triggers of
    /// its own (a rule on the audit log deleting from the target). Names resolve as when the
    /// trigger runs: on the function's own `SET search_path`, or the user's; a qualified one
    /// in its schema. A function of that name in a schema off that path is never called, so
    /// it does not count (it did, and a concurrent session's VOLATILE `now()` elsewhere hid
    /// a stamp trigger's repeated id). The argument types are not read: any function of the
    /// name on the path counts, the one PostgreSQL picks among them. Of pg_catalog's, those
    /// that run SQL or read a view (`ColumnExpressions.rowReadingBuiltIns`) count: a call
    /// of the user's inside `query_to_xml('SELECT purge_old(…)', …)` is no name the reader
    /// sees (hostile review 23). An operator the body uses counts like a call of its
    /// function (`new.id ### 0`).
    func callsWritingCode(_ calls: TriggerCalls) throws -> Bool {
        try session.underSearchPath(calls.searchPath ?? session.userSearchPath) {
            // The called names as a relation `c (schema, name)` ('' unqualified), and each
            // looked up where PostgreSQL looks: a schema of the path (pg_catalog and pg_temp
            // as PostgreSQL adds them), or the one it names.
            func names(_ list: [TriggerCalls.FunctionName]) -> SQL {
                "ROWS FROM (pg_catalog.unnest(CAST(\(bindArray: list.map { $0.schema ?? "" }) AS pg_catalog.text[])), "
                    + "pg_catalog.unnest(CAST(\(bindArray: list.map(\.name)) AS pg_catalog.text[]))) AS c (schema, name)"
            }
            let onPath: SQL = "CASE WHEN c.schema OPERATOR(pg_catalog.=) '' THEN n.nspname OPERATOR(pg_catalog.=) ANY(pg_catalog.current_schemas(true)) "
                + "ELSE n.nspname OPERATOR(pg_catalog.=) c.schema END"
            let functions = calls.functions.sorted(), operators = calls.operators.sorted()
            guard !functions.isEmpty || !operators.isEmpty else { return try insertsWrite(calls) }
            // A function of the user's that is VOLATILE, or one of pg_catalog's that runs SQL;
            // an operator of the user's whose function is VOLATILE.
            if try session.execute(
                """
                SELECT EXISTS (
                    SELECT 1 FROM \(names(functions))
                    JOIN pg_catalog.pg_proc p ON p.proname OPERATOR(pg_catalog.=) c.name
                    JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
                    WHERE \(onPath)
                      AND CASE WHEN p.pronamespace OPERATOR(pg_catalog.=) CAST('pg_catalog' AS pg_catalog.regnamespace)
                               THEN p.proname OPERATOR(pg_catalog.~) \(bind: ColumnExpressions.rowReadingBuiltIns)
                               ELSE p.provolatile OPERATOR(pg_catalog.=) 'v' END
                ) OR EXISTS (
                    SELECT 1 FROM \(names(operators))
                    JOIN pg_catalog.pg_operator o ON o.oprname OPERATOR(pg_catalog.=) c.name
                    JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.oprnamespace
                    JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) CAST(o.oprcode AS pg_catalog.oid)
                    WHERE \(onPath)
                      AND o.oprnamespace OPERATOR(pg_catalog.<>) CAST('pg_catalog' AS pg_catalog.regnamespace)
                      AND p.provolatile OPERATOR(pg_catalog.=) 'v'
                ) AS writes
                """
            ).rows[0].bool("writes") { return true }
            return try insertsWrite(calls)
        }
    }

    /// Whether the trigger INSERTs into a table that is not found on the path it runs
    /// with, or that has rules or triggers of its own (which may write anywhere).
    private func insertsWrite(_ calls: TriggerCalls) throws -> Bool {
        guard !calls.inserts.isEmpty else { return false }
        return try session.execute(
            """
            SELECT pg_catalog.bool_or(r.oid IS NULL
                OR EXISTS (SELECT 1 FROM pg_catalog.pg_rewrite w WHERE w.ev_class OPERATOR(pg_catalog.=) r.oid
                           AND w.rulename OPERATOR(pg_catalog.<>) '_RETURN')
                OR EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t WHERE t.tgrelid OPERATOR(pg_catalog.=) r.oid AND NOT t.tgisinternal)) AS writes
            FROM (SELECT CAST(pg_catalog.to_regclass(u.name) AS pg_catalog.oid) AS oid
                  FROM pg_catalog.unnest(CAST(\(bindArray: calls.inserts.sorted()) AS pg_catalog.text[])) AS u(name)) r
            """).rows[0].bool("writes")
    }
}
