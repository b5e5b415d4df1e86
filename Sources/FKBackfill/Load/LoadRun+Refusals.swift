import Foundation
import PostgresClient

/// What PostgreSQL refused while the load wrote, said as a finding (exit 1) with the row,
/// the constraint and the key, never as the server's bare SQLSTATE: whatever a constraint,
/// a policy or a trigger refuses is something the user's data or schema must change.
extension LoadRun {
    /// An error of the data against the schema (class 23, a row-level security policy's
    /// WITH CHECK, a view's CHECK OPTION, a trigger's RAISE EXCEPTION or ASSERT), not of
    /// the statement or the connection.
    static func isRefusal(_ error: PostgresError) -> Bool {
        guard error.kind == .server, let state = error.sqlState else { return false }
        if state.hasPrefix(SQLState.integrityConstraintViolationClass) || state == SQLState.withCheckOptionViolation { return true }
        // The user's own code refusing a row: PL/pgSQL's RAISE, ASSERT or STRICT (class
        // P0), or a RAISE with an SQLSTATE of the user's own (a class PostgreSQL does not
        // use: a letter first, other than F0, HV and XX).
        if state.hasPrefix(SQLState.plpgsqlErrorClass) { return true }
        if let first = state.first, first.isLetter, !["F0", "HV", "XX"].contains(String(state.prefix(2))) { return true }
        return state == SQLState.insufficientPrivilege && error.message.contains("row-level security")
    }

    /// Runs the statements that insert `parent`'s new rows; a refusal names the parent,
    /// the constraint and the key: a placeholder row collides with another unique key or
    /// an exclusion constraint, or a policy or trigger refuses it.
    func refusingNewRows(of parent: ParentPlan, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as PostgresError where Self.isRefusal(error)
            || error.isDataException || (error.context != nil && Self.failsTheLoad(error)) {
            // The user's code failing in the parent's trigger (a column or function its
            // schema lacks: review 15) is the parent's refusal too, with its CONTEXT.
            // Class 22 too: a value the input gives a new row that the column's type cannot take.
            blockedTables.insert(parent.table.name)
            // Row-level security: its WITH CHECK refused the new rows' values (a Supabase
            // channel created_by another user than auth.uid(): the fifth sweep), or a key
            // the policy hides from this role looked missing and was inserted again
            // (PostgreSQL's own FK check, which bypasses the policy, would find it).
            let hidden = error.sqlState == SQLState.insufficientPrivilege
            throw FKBackfillError(
                "new rows of \(parent.table.name.display) were refused: \(error.message), nothing was written",
                details: error.detail.map { [$0] } ?? [],
                hint: hidden
                    ? "row-level security on \(parent.table.name.display) applies to this role: its policies' WITH CHECK refuse the new rows' values "
                        + "(a rule per column gives others), or a key it hides looked missing; "
                        + "load as a role that bypasses it (the table's owner, or BYPASSRLS), or give the policy a WITH CHECK that admits the new rows"
                    : "give the new rows values that fit \(parent.table.name.display) (a rule per column, docs/rules.md), "
                        + "or skip the parent (mode: skip)",
                kind: .blocked, cause: error)
        }
    }

    /// The fact insert's refusal: the input row behind it where the reject statements find
    /// it, else the server's words as a finding.
    func refusal(_ error: PostgresError) throws -> FKBackfillError {
        let byRow = [SQLState.uniqueViolation, SQLState.checkViolation, SQLState.notNullViolation, SQLState.foreignKeyViolation]
        if byRow.contains(error.sqlState ?? ""), let refused = try refusedRow() { return refused }
        // PostgreSQL's own check refused a key the input did not give (a DEFAULT, a
        // generated column, a trigger): a finding like the set-based verify's, exit 1.
        if error.sqlState == SQLState.foreignKeyViolation {
            return FKBackfillError(
                "PostgreSQL's FK check refused a stored row, nothing was written", details: [error.message] + (error.detail.map { [$0] } ?? []),
                hint: "`fkbackfill validate` names the FKs whose keys the input leaves to a DEFAULT or generated column",
                kind: .foreignKeyViolations, cause: error)
        }
        return FKBackfillError(
            "PostgreSQL refused an input row of \(target.name.display): \(error.message), nothing was written",
            details: error.detail.map { [$0] } ?? [],
            hint: "fix the row the detail names; `fkbackfill validate` names what it cannot evaluate (exclusion constraints, "
                + "partial unique indexes, policies, triggers)",
            kind: .rowRefused(line: nil), cause: error)
    }

    /// The input row behind a unique, CHECK or NOT NULL violation of the fact insert,
    /// found by the statements a load with rejects would have set it aside with, as an
    /// error naming its line; nil when none of them finds it (the server's error stands).
    func refusedRow() throws -> FKBackfillError? {
        // Rows --max-rejects already set aside were never given to the insert: not theirs.
        let setAside: SQL = "pg_temp.fkb_set_aside"
        try session.execute(
            "CREATE TEMP TABLE \(setAside) ON COMMIT DROP AS SELECT _fkb_row FROM \(LoadStatements.stage) WHERE _fkb_reject IS NOT NULL")
        try markValueRejects(typed: !stagedAsText)
        try markUniqueRejects()
        // Partial and expression unique indexes, which no reject step marks (LoadRun+IndexClashes).
        try markIndexClashes()
        // What PostgreSQL's own FK check refused: a key no parent holds, after the backfill.
        // Not when the facts went in first (`insertsBeforeBackfill`): no FK check ran, and
        // the parents the backfill would add are not there yet.
        for fk in catalog.foreignKeys(of: target.name) where !keysFromStored && !fk.declared && fk.columns.allSatisfy(opened.columns.contains) {
            let keys = KeyPredicates.columns("s", fk.columns)
            var missing: SQL = keys.map { "\($0) IS NOT NULL" as SQL }.joined(separator: " AND ") + " AND "
                + KeyPredicates.missing(try readable(fk, fresh: true), child: keys)
            if let routed = plan.routeCondition(of: fk) { missing += " AND \(routed)" }
            // A key of the target's own that a row given to the insert carries is no row's
            // fault (review 11, the sweep: a row whose parent a later line gives was blamed
            // for another row's NULL).
            if fk.referencedTable == target.name, !plan.rejectsMissing(fk) {
                let given = KeyPredicates.match(fk, parent: KeyPredicates.columns("o", fk.referencedColumns), child: keys)
                missing += " AND NOT EXISTS (SELECT 1 FROM \(LoadStatements.stage) o WHERE \(given) "
                    + "AND NOT EXISTS (SELECT 1 FROM \(setAside) a WHERE a._fkb_row OPERATOR(pg_catalog.=) o._fkb_row))"
            }
            try updateStage(sql.reject(
                where: missing, reason: "key (\(fk.columns.joined(separator: ", "))) missing from \(fk.referencedTable.display) (\(fk.name))"))
        }
        guard let row = try session.execute(
            "SELECT s._fkb_row, s._fkb_reject FROM \(LoadStatements.stage) s WHERE s._fkb_reject IS NOT NULL "
                + "AND NOT EXISTS (SELECT 1 FROM \(setAside) a WHERE a._fkb_row = s._fkb_row) ORDER BY s._fkb_row LIMIT 1"
        ).rows.first, let number = row.int("_fkb_row") else { return nil }
        let line = lines?.line(ofRecord: number) ?? number
        let place = if case .csv = input { "\(input.label):\(line)" } else { "\(input.label) row \(line)" }
        let reason = try row.string("_fkb_reject")
        let duplicate = reason.contains(" already in ") || reason.hasPrefix("duplicate key")
        return FKBackfillError(
            "\(place): \(try row.string("_fkb_reject")), nothing was written",
            hint: duplicate
                ? "--replace-by COLUMNS replaces rows of a period already loaded; --max-rejects N sets such rows aside and loads the rest"
                : "fix the row, or --max-rejects N to set such rows aside and load the rest",
            kind: .rowRefused(line: line))
    }


    /// Step "check deferred constraints": `SET CONSTRAINTS ALL IMMEDIATE` fires now what
    /// PostgreSQL would otherwise check at COMMIT (deferred FKs, deferrable unique keys,
    /// deferred constraint triggers), so their refusal is a finding with the constraint,
    /// and a dry run, which rolls back instead of committing, sees it too. The user's
    /// constraint triggers run as in their session.
    func checkDeferredConstraints() throws {
        do {
            try session.underUserSearchPath { try session.execute("SET CONSTRAINTS ALL IMMEDIATE") }
        } catch let error as PostgresError where Self.isRefusal(error) {
            throw FKBackfillError(
                "PostgreSQL refused the load at its deferred checks: \(error.message), nothing was written",
                details: (error.detail.map { [$0] } ?? []) + (error.context.flatMap { $0.split(separator: "\n").first.map { ["in \($0)"] } } ?? []),
                hint: "a DEFERRABLE constraint or a deferred constraint trigger refused a row; `fkbackfill validate` tries the same checks",
                kind: error.sqlState == SQLState.foreignKeyViolation ? .foreignKeyViolations : .rowRefused(line: nil), cause: error)
        }
    }

    /// Stops the load when the user's code switched the session to replica mode while
    /// it ran: PostgreSQL's FK checks (and every ordinary trigger) were skipped for the
    /// rows after it, so what was stored is not known to be checked.
    func refuseReplicaSwitch(during step: String) throws {
        let role = try session.execute("SELECT pg_catalog.current_setting('session_replication_role') AS r").rows[0]["r"]
        guard let role, role != "origin" else { return }
        throw FKBackfillError(
            "session_replication_role became \(role) while \(step): PostgreSQL's FK checks did not run for the rows after it, nothing was written",
            hint: "a trigger or function the insert ran calls set_config('session_replication_role', …); the load cannot vouch for its rows",
            kind: .blocked)
    }
}
