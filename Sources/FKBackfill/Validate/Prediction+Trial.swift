import Foundation
import PostgresClient

/// Validate's trial: what only PostgreSQL can tell, asked of PostgreSQL.
///
/// Some outcomes are decided by code and constraints the prediction does not evaluate: a
/// parent's INSERT triggers and rules (which may assign, rewrite or drop a key), an
/// exclusion constraint or another unique index a placeholder row may collide with, a
/// policy hiding a parent row, the target's own triggers, exclusion constraints, partial
/// unique indexes, per-partition generated or default keys. Guessing them is how validate
/// and load came to disagree; so where the catalog shows one, validate runs the load's
/// own write steps for the part concerned inside a savepoint and rolls it back. The verdict
/// is then PostgreSQL's, and the report says which steps were tried and why.
extension Prediction {
    /// What a tried write found.
    struct TrialOutcome {
        /// What stopped it, in the load's words; nil when PostgreSQL took every row.
        var stopped: [String]?
        /// Rows the fact insert stored, when it was tried.
        var inserted: Int?
        /// Rows the target's triggers skipped.
        var skipped = 0
        /// Rows `--replace-by` deleted, when the fact insert was tried (a parent's trigger
        /// may have written rows it deletes).
        var deleted: Int?
        /// Per parent, the rows the tried backfill inserted: fewer than its new keys where a
        /// parent's trigger wrote some of them first (a new person's detail row).
        var parents: [TableName: Int] = [:]
        /// Why it could not be tried (a lock another session holds).
        var untried: String?
    }

    /// How long a tried write waits for a lock when the session sets no limit of its own.
    static let trialLockTimeout = "5s"

    /// Why the new parent rows' insert must be tried: per parent, the triggers, rules and
    /// constraints the prediction cannot evaluate on its new rows.
    func parentTrialReasons() throws -> [String] {
        var reasons: [String] = []
        for parent in run.plan.parents where run.parentStates[parent.index].available && parent.backfills && !parent.isTarget {
            // fill_null_only UPDATEs the existing rows its keys name: their CHECKs, domains,
            // unique indexes and UPDATE triggers are PostgreSQL's to judge (hostile review 17).
            if parent.mode == .fillNullOnly, let counts = run.parentStates[parent.index].counts, counts.present > 0 {
                reasons.append("\(parent.table.name.display) fills the NULL columns of existing rows (mode: fill_null_only)")
            }
            guard run.parentStates[parent.index].hasMissingKeys else { continue }
            // With routing: a partitioned parent with no default partition may have none
            // for a new key, and only the server's routing says so.
            let hooks = try ParentHooks.read(parent.table, routing: true, on: run.session) + afterInsertTriggers(parent.table)
            if !hooks.isEmpty { reasons.append("\(parent.table.name.display) has \(hooks.joined(separator: ", ")) on INSERT") }
            for what in try ParentHooks.unevaluated(parent.table, key: parent.keyColumns, on: run.session) {
                reasons.append("\(what) of \(parent.table.name.display)")
            }
            // A generated column is computed on each new row, and may fail there (review 15:
            // `100 / qty` with qty's DEFAULT 0).
            let generated = parent.table.columns.filter { $0.generatedExpression != nil }.map(\.name)
            if !generated.isEmpty { reasons.append("generated columns of \(parent.table.name.display) (\(generated.joined(separator: ", ")))") }
            // A derived value of a domain type: its CHECK is PostgreSQL's (review 17: a
            // fee of 150 for `pct CHECK (VALUE BETWEEN 0 AND 100)`, validate said would load).
            let domains = parent.derivedColumns.filter { $0.column.domainBaseType != nil }.map(\.column.name)
            if !domains.isEmpty { reasons.append("values derived for \(parent.table.name.display) of domain types (\(domains.joined(separator: ", ")))") }
            let inserted = Set(parent.insertedColumns.map(\.column.name))
            let uncomputed = try NullDefaults.uncomputed(of: parent.table, on: run.session).filter { !inserted.contains($0) }
            if !uncomputed.isEmpty { reasons.append(NullDefaults.uncomputedReason(parent.table.name, uncomputed, rows: "new rows")) }
            // A new row's FK column left to its DEFAULT: its key is PostgreSQL's to check.
            for fk in run.catalog.foreignKeys(of: parent.table.name) where !fk.declared && !fk.columns.allSatisfy(inserted.contains) {
                let defaulted = fk.columns.filter { !inserted.contains($0) && parent.table.column($0)?.hasNonNullDefault == true }
                if !defaulted.isEmpty { reasons.append("\(fk.name) of \(parent.table.name.display) takes its DEFAULT (\(defaulted.joined(separator: ", ")))") }
            }
        }
        // The target's own placeholders' known keys a parent may get from its new rows.
        if let own = run.plan.parents.first(where: \.isTarget), run.parentStates[own.index].hasMissingKeys {
            reasons += try PlaceholderKeys.check(own, plan: run.plan, foreignKeys: run.catalog.foreignKeys(of: run.target.name), on: run.session) {
                run.parentStates[$0.index].hasMissingKeys
            }.unsure
        }
        return reasons + run.triggerFilledColumns
    }

    /// Runs the backfill (and, when `target` is non-empty, the fact insert and its check)
    /// in a savepoint that is always rolled back. Returns what stopped it, in the load's
    /// own words, or nil when PostgreSQL took every row; `inserted` and `skipped` then
    /// hold what the fact insert stored and what the target's triggers skipped.
    func trialWrite(target targetReasons: [String]) throws -> TrialOutcome {
        do {
            return try run.session.rolledBack {
                // Bounded: a tried write may wait on a row another session is writing.
                try run.session.execute("SELECT pg_catalog.set_config('lock_timeout', \(bind: Self.trialLockTimeout), true) "
                    + "WHERE pg_catalog.current_setting('lock_timeout') IN ('0', '')")
                // The load's own steps (LoadRun.stepsAfterStaging), its writes only: the
                // prediction has made its decisions. The target's only when something of
                // the target's calls for them.
                let triesTarget = (!targetReasons.isEmpty || run.trialNeedsTarget) && run.options.loadTarget
                let steps = triesTarget ? try run.stepsAfterStaging() : run.parentsFirstSteps()
                for step in steps where step.kind == .parents || (triesTarget && step.kind == .target) { try step.body() }
                try run.checkDeferredConstraints()
                let parents = Dictionary(run.plan.parents.filter { !$0.isTarget }.map { ($0.table.name, run.parentStates[$0.index].inserted) },
                                         uniquingKeysWith: +)
                return triesTarget ? TrialOutcome(inserted: run.report.inserted, skipped: run.report.skipped, deleted: run.report.deleted, parents: parents)
                    : TrialOutcome(parents: parents)
            }
        } catch let error as FKBackfillError {
            guard error.category == .findings else { throw error }
            let said = error.message.replacingOccurrences(of: ", nothing was written", with: "")
            return TrialOutcome(stopped: [said] + error.details)
        } catch let error as PostgresError where LoadRun.failsTheLoad(error) {
            // The user's code failing (a relation its trigger names that the user's
            // search_path does not find, a value it cannot compute): the load fails the
            // same way; validate says so, and where, instead of failing itself.
            let place = error.context?.split(separator: "\n").first.map { " (in \($0))" } ?? ""
            return TrialOutcome(stopped: ["the load would fail: \(error.message)\(place)"] + (error.detail.map { [$0] } ?? []))
        } catch let error as PostgresError where error.kind == .server && error.sqlState == SQLState.lockNotAvailable {
            return TrialOutcome(untried: "a tried write waited \(Self.trialLockTimeout) for a lock another session holds, so it was not tried")
        }
    }

    /// Row-level security on the target for this role: its policies' WITH CHECK judge each
    /// fact row at the insert (hostile review 22: `WITH CHECK (amount >= 0)` under FORCE ROW
    /// LEVEL SECURITY refused a row the prediction had let through, notExact empty).
    func targetRowSecurity() throws -> [String] {
        let active = try run.session.execute(
            "SELECT c.relrowsecurity AND pg_catalog.row_security_active(c.oid) AS active FROM pg_catalog.pg_class c "
                + "WHERE c.oid OPERATOR(pg_catalog.=) CAST(\(bind: String(run.target.oid)) AS pg_catalog.oid)").rows.first?.bool("active") ?? false
        return active ? ["row-level security on \(run.target.name.display) applies to this role: its policies' WITH CHECK judge the fact rows"] : []
    }

    /// AFTER INSERT triggers on `table` and its partitions: they may raise, or fail on
    /// what they write elsewhere.
    func afterInsertTriggers(_ table: Table) throws -> [String] {
        let oid: SQL = "CAST(\(bind: String(table.oid)) AS pg_catalog.oid)"
        return try run.session.execute("\(ParentHooks.insertTriggers(oid, before: false)) ORDER BY t.tgname").rows.map { try $0.string("name") }
    }

    /// INSERT triggers (BEFORE or AFTER) and rules of parents that get new rows: their
    /// code may write rows the fact insert then meets (a new user's trigger, or a DO ALSO
    /// rule, writing the user's detail row, the target: "already in detail", where validate
    /// said "would load"; the real-schema sweep, review 13), so the trial runs the fact
    /// insert too.
    func parentWritesReasons() throws -> [String] {
        var reasons: [String] = []
        for parent in run.plan.parents where run.parentStates[parent.index].available && parent.backfills && !parent.isTarget {
            guard run.parentStates[parent.index].hasMissingKeys else { continue }
            let hooks = try ParentHooks.read(parent.table, routing: false, on: run.session) + afterInsertTriggers(parent.table)
            if !hooks.isEmpty {
                reasons.append("\(parent.table.name.display)'s \(hooks.joined(separator: ", ")) on INSERT may write rows the fact rows meet")
            }
        }
        return reasons
    }

    /// With `--replace-by`: FKs of other tables that reference the target and would refuse
    /// the DELETE of a row they still reference (NO ACTION, RESTRICT); their check is
    /// PostgreSQL's, so the trial runs the DELETE.
    func replaceByTrialReasons() throws -> [String] {
        guard !run.options.replaceBy.isEmpty else { return [] }
        return try Validator.replaceRefusers(run.target, on: run.session)
    }
}

extension Validator {
    /// What `--replace-by`'s DELETE runs besides deleting, that may refuse it or change what
    /// it deletes: FKs of other tables referencing the target, a partition or an inheritance
    /// child of it (the DELETE is not ONLY) — NO ACTION and RESTRICT refuse a row still
    /// referenced, CASCADE, SET NULL and SET DEFAULT write the referencing table, which its
    /// own constraints may refuse —, user triggers on DELETE (a BEFORE trigger may keep the
    /// row or raise) and DO rules on DELETE. PostgreSQL's to evaluate: the staged path tries
    /// the DELETE, read-only names them.
    static func replaceRefusers(_ target: Table, on session: Session) throws -> [String] {
        let oid: SQL = "CAST(\(bind: String(target.oid)) AS pg_catalog.oid)"
        return try session.execute(
            """
            WITH RECURSIVE tree(relid) AS (
                SELECT \(oid)
                UNION SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree t ON i.inhparent OPERATOR(pg_catalog.=) t.relid
            )
            SELECT h.what FROM (
                SELECT 'FK ' || c.conname || ' of ' || CAST(CAST(c.conrelid AS pg_catalog.regclass) AS pg_catalog.text)
                       || ' references rows --replace-by deletes' AS what
                FROM pg_catalog.pg_constraint c
                WHERE c.contype = 'f' AND c.confrelid IN (SELECT relid FROM tree) AND c.conrelid <> \(oid)
                UNION
                SELECT 'trigger ' || t.tgname || ' of ' || CAST(CAST(t.tgrelid AS pg_catalog.regclass) AS pg_catalog.text)
                       || ' runs on the DELETE of --replace-by'
                FROM pg_catalog.pg_trigger t
                WHERE t.tgrelid IN (SELECT relid FROM tree) AND NOT t.tgisinternal AND t.tgenabled <> 'D' AND (t.tgtype & 8) <> 0
                UNION
                SELECT 'rule ' || r.rulename || ' of ' || CAST(CAST(r.ev_class AS pg_catalog.regclass) AS pg_catalog.text)
                       || ' runs on the DELETE of --replace-by'
                FROM pg_catalog.pg_rewrite r
                WHERE r.ev_class IN (SELECT relid FROM tree) AND r.ev_type = '4' AND r.ev_enabled <> 'D'
            ) h ORDER BY 1
            """).rows.map { try $0.string("what") }
    }
}
