import PostgresClient

/// Which validations run in a READ ONLY transaction, and the refusal of the others on a
/// session that cannot write (docs/validate.md, "Read-only sessions and standbys").
///
/// Reading in place (the target's own rows, or a table with the target's types checked
/// `inPlace`) writes nothing: it runs in a transaction that begins READ ONLY, so it works
/// on a hot standby and for a role whose transactions are read-only, with the same report.
/// Staging (a CSV, a table or query that needs casting, a `--query`, which is compiled
/// into a temporary view) creates temporary tables, which neither allows: on such a
/// session the input is streamed instead (a CSV in batches, a query or a table through a
/// cursor); what still needs the staged prediction is refused before anything runs,
/// instead of PostgreSQL's "cannot execute CREATE TABLE in a read-only transaction".
extension Validator {
    /// Thrown inside the READ ONLY transaction when the input turns out to need staging
    /// after all (its types differ from the target's, blanks load as NULL, the target
    /// references itself): the run starts again in a transaction that may write, or, on a
    /// session that cannot, is refused.
    struct MustStage: Error {
        let reason: String
    }

    /// What makes this run write whatever the input holds, or nil when it may read in
    /// place, so its transaction begins READ ONLY: the input is staged (a CSV, a table not
    /// checked in place, a query compiled into a temporary view), or the rules have `sql:`
    /// expressions, each compiled into a temporary view to be checked (SQLExpressionCheck).
    ///
    /// With `streamed` (the session cannot write), a CSV is read in batches sent as bound
    /// arrays instead (Validator+Streamed.swift), a query or a table to cast through a
    /// cursor: rows `--max-rejects` lets the load set
    /// aside are flagged per batch (StreamedStatements+SetAside.swift), rows `--replace-by`
    /// deletes resolved after the last batch (StreamedStatements+Replace.swift).
    static func alwaysWrites(_ input: InputSource?, _ options: ValidateOptions, streamed: Bool = false) -> String? {
        // Streamed, a query or a table that must be cast is read as text through a
        // cursor (Validator+StreamedCursor.swift), a CSV in batches.
        let staged: String? = switch input {
        case nil: nil
        case _ where streamed: nil
        case .csv: "a CSV file is staged on a session that may write"
        case .query: "a query is compiled into a temporary view"
        case .table: options.inPlace ? nil : "a table not checked in place is staged and cast"
        }
        if let staged { return stages(staged) }
        // Streamed, a rule's sql: expression is compiled without a temporary view
        // (SQLExpressionCheck+ReadOnly.swift); reading in place needs no rule evaluated.
        if streamed { return nil }
        let sqlRules = options.rules.tables.contains { table in
            table.columns.contains { if case .sql = $0.source { true } else { false } }
        }
        return sqlRules ? "validate checks the rules' sql: expressions by compiling each into a temporary view" : nil
    }

    /// The clause of the refusal for an input that is staged because of `reason`.
    static func stages(_ reason: String) -> String {
        "validate stages this input in temporary tables (\(reason))"
    }

    /// The one error of a validation that must write on a session that cannot.
    static func stagingRefused(table: String, input: InputSource?, because writes: String, session why: String) -> FKBackfillError {
        Session.readOnlyRefusal(
            "cannot validate \(input?.label ?? table) for \(table) on this session: \(why), and \(writes), "
                + "which a read-only transaction or a hot standby cannot create; nothing was written",
            hint: "what runs read-only is reading in place: a table whose columns have the target's types (inPlace) or the "
                + "target's own rows (no input), a CSV streamed in batches, and a query or a table read as text through a cursor; "
                + "validate this input against the primary, with a role whose "
                + "transactions may write")
    }

    /// Why a CSV streamed read-only must be staged after all, or nil: blanks that load as
    /// NULL and a target that references itself need the staged prediction, as in place.
    static func streamingNeedsStaging(plan: LoadPlan, selfReference: Bool) -> String? {
        // Blank keys become NULL in the batch itself (StreamedStatements.check).
        stagingNeeded(hasTypes: true, blanksBecomeNull: false, selfReference: selfReference)
    }

    /// Why an input that could be read in place must be staged after all, or nil.
    /// `plansUserSQL`: a view or a query, read once under the user's path (its SQL
    /// functions are inlined under the path of the statement that reads it), not by each
    /// check in place under the tool's (`OpenedInput.plansUserSQL`).
    static func stagingNeeded(hasTypes: Bool, blanksBecomeNull: Bool, selfReference: Bool, plansUserSQL: Bool = false) -> String? {
        if plansUserSQL { return stages("a view or a query is read once under your search path, not by each check in place under the tool's") }
        if selfReference { return stages("the target references itself, and its own keys may come from the input") }
        if blanksBecomeNull { return stages("blank keys load as NULL (on_blank: null)") }
        if !hasTypes { return stages("its columns do not all have the target's types, so they are cast") }
        return nil
    }
}

extension Validator {
    /// What a CSV checked read-only (streamed, as in place) does not evaluate of the load,
    /// named only where the catalog shows it applies to this target or to a parent that
    /// would get rows: the target's unique keys and CHECKs, what only the insert can tell
    /// (triggers, rules, exclusion constraints: `TargetConstraints.inexactness`), and the
    /// new parent rows' CHECKs, NOT NULL columns filled by derived values, and triggers;
    /// for a partitioned target, rows no partition accepts.
    /// With `replaceBy`, FKs of other tables that may refuse its DELETE are named (the
    /// staged path tries the DELETE).
    /// `rejects`: streamed with `--max-rejects`, whose batches evaluate those on the input's values
    /// whatever the triggers (`StreamedStatements.rejects`): what a trigger changes is what is not.
    func notEvaluatedReadOnly(
        plan: LoadPlan, catalog: Catalog, constraints: TargetConstraints, facts: TableFacts, findings: [Findings], streamed: Bool = true,
        rejects: Bool = false, evaluatedDefaults: Set<String> = [], evaluatedReplaceChildren: Set<String> = []
    ) throws -> [String] {
        let target = plan.target.name
        var reasons: [String] = []
        // A key on columns the input does not give (an identity primary key) gets its
        // values from the database, not from the file: nothing of the input's to check.
        let given = Set(plan.stagedColumns.map(\.name))
        let uncomputed = try NullDefaults.uncomputed(of: plan.target, on: session).filter { !given.contains($0) }
        if !uncomputed.isEmpty { reasons.append(NullDefaults.uncomputedReason(target, uncomputed, rows: "the rows")) }
        // The batches check the target's CHECKs, routing and unique keys
        // (StreamedStatements+TargetRows.swift), but for what the catalog shows they cannot.
        // A trigger that leaves a check's columns alone (`untouchedByTriggers`) is no reason.
        func triggered(_ columns: [String]) -> Bool { !constraints.unchangedByTriggers(columns) }
        let onInput = "checked on the input's values, as --max-rejects sets rows aside; what a BEFORE INSERT trigger changes before the insert is not"
        for key in constraints.uniqueKeys where !key.partialOrExpression {
            let which = "unique key \(key.name) (\(key.columns.joined(separator: ", ")))"
            let lacking = key.columns.filter { !given.contains($0) }
            if !lacking.isEmpty {
                // What the insert fills: an identity or serial key with fresh values from a
                // sequence ahead of every stored key is safe, and so are NULLs under NULLS
                // DISTINCT; a generated column, a constant DEFAULT, a sequence behind the
                // rows (explicit ids went in) may clash.
                if try insertFillsSafely(key, lacking, of: plan.target) { continue }
                reasons.append("\(which): \(lacking.joined(separator: ", ")) not in the input, filled by the insert: not checked")
            } else if triggered(key.columns) && rejects {
                reasons.append("\(which): \(onInput)")
            } else if triggered(key.columns) {
                reasons.append("\(which): not checked, a BEFORE INSERT trigger may change the rows first")
            } else if !key.defaultOperatorClasses {
                reasons.append("\(which): repeats inside the input are not looked for (an operator class that is not its type's default)")
            }
        }
        for check in facts.checks[target] ?? [] where !check.callsCode {
            let lacking = check.columns.filter { !given.contains($0) }
            let assigned = !constraints.keptByTriggers(check.columns)
            if assigned && rejects && lacking.isEmpty && constraints.setAsideOnInput(check.columns) {
                reasons.append("CHECK \(check.name) of \(target.display): \(onInput)")
            } else if assigned {
                reasons.append("CHECK \(check.name) of \(target.display): not evaluated, a BEFORE INSERT trigger may change the rows first")
            } else if !lacking.isEmpty {
                reasons.append("CHECK \(check.name) of \(target.display): reads \(lacking.joined(separator: ", ")), not in the input and filled by the insert: not evaluated")
            }
        }
        // The partial and expression unique indexes the batches evaluate (StreamedStatements+IndexExpressions).
        reasons += constraints.inexactness(evaluated: streamed ? Set(StreamedStatements.evaluatedIndexes(constraints, given: given).map(\.name)) : [])
            + (streamed ? [] : Self.expressionIndexNotExact(constraints, target: plan.target.name, given: given, evaluated: nil))
        if !plan.replaceBy.isEmpty {
            // Other tables' FKs evaluated read-only are not named (Validator+StreamedReplaceChildren.swift).
            reasons += try Self.replaceRefusers(plan.target, on: session).filter { line in
                !evaluatedReplaceChildren.contains { line.hasPrefix($0) }
            }.map { "\($0): not evaluated (the staged path tries the DELETE)" }
        }
        // Rows no partition accepts are found on the input's values whatever the triggers
        // (StreamedStatements.targetRowChecks): routing comes before them.
        if plan.unroutable == nil, plan.target.kind == .partitioned,
                  try ParentHooks.read(plan.target, on: session).contains("no default partition") {
            // PartitionRoutes reads bounds over plain columns the input gives; a key on an
            // expression, or on a column the insert fills, is the insert's to route.
            reasons.append("rows no partition of \(target.display) accepts are not looked for: its partition key is an expression or a column the insert fills")
        }
        // Streamed, the batches evaluate the bounds over columns the input gives (Validator+PartitionBounds).
        if let whole = plan.target.partitionOf,
           try !(streamed && partitionBoundsCheck(plan.target).map { $0.columns.allSatisfy(given.contains) && (rejects || !triggered($0.columns)) } == true) {
            reasons.append("\(target.display) is a partition of \(whole.display): its partition constraint is not evaluated")
        }
        // Its policies' WITH CHECK judge each row at the insert (hostile review 22: a row
        // they refuse, with nothing named).
        if !(try rowSecurityActive([plan.target])).isEmpty {
            let hidden = constraints.uniqueKeys.contains { !$0.partialOrExpression && $0.columns.allSatisfy(given.contains) && (rejects || !triggered($0.columns)) }
            reasons.append("row-level security on \(target.display) applies to this role: "
                + (hidden ? "keys already there that it hides are not found, and " : "") + "its policies' WITH CHECK on the rows are not evaluated")
        }
        // An FK column the input lacks takes its DEFAULT at the insert: that value's key is
        // PostgreSQL's to check (the staged path predicts it; the stream has no such column).
        let staged = Set(plan.stagedColumns.map(\.name))
        for fk in catalog.foreignKeys(of: plan.target.name) where !fk.declared && !fk.columns.allSatisfy(staged.contains)
            && !evaluatedDefaults.contains(fk.name) {
            // A domain's DEFAULT counts too (hostile review 16: `status_id status_id` with a domain default 9 went unnamed).
            let defaulted = fk.columns.filter { name in
                guard !staged.contains(name), let column = plan.target.column(name) else { return false }
                return column.hasNonNullDefault || column.domainDefault
            }
            // A generated column is computed from the row by the insert (hostile review 17:
            // `iso … GENERATED ALWAYS AS (upper(raw_country)) STORED REFERENCES country`,
            // the FK went unlisted and unnamed).
            let generated = fk.columns.filter { !staged.contains($0) && plan.target.column($0)?.generatedExpression != nil }
            if !generated.isEmpty {
                reasons.append("\(fk.name): (\(generated.joined(separator: ", "))) generated by the insert from each row, whose key is not checked")
            }
            guard !defaulted.isEmpty else { continue }
            reasons.append("\(fk.name): (\(defaulted.joined(separator: ", "))) not in the input, filled by their DEFAULT, whose key is not checked")
        }
        // Row-level security the session is subject to hides parent rows from this role:
        // PostgreSQL's FK check sees them, a load by a role that bypasses it too; a load by
        // this role does not (hostile review 23: it inserts the hidden key, and the
        // policies refuse the row — the text said the load would find them).
        let parents = plan.parents.map(\.table) + catalog.foreignKeys(of: plan.target.name).compactMap { catalog.table($0.referencedTable) }
        for table in try rowSecurityActive(Array(parents)) {
            reasons.append("row-level security on \(table.display) applies to this role: keys it hides are counted missing here; "
                + "PostgreSQL's FK check sees them, and so does a load by a role that bypasses it, not one by this role (it inserts them, which the policies may refuse)")
        }
        // fill_null_only UPDATEs the existing rows the input's keys name, new keys or not.
        for parent in plan.parents where parent.mode == .fillNullOnly && !parent.isTarget {
            if let hooks = try Self.fillRefusers(parent, plan: plan, facts: facts, on: session) {
                reasons.append("existing rows of \(parent.table.name.display) are filled by an UPDATE (mode: fill_null_only) that \(hooks) may refuse: not tried")
            }
        }
        guard findings.contains(where: { $0.missing > $0.blank }) else { return reasons }
        // A new key the parent's narrower type cannot hold exactly (KeyFit): the load sets its
        // rows aside. Streamed, each batch looks for them (StreamedStatements+KeyFit); in place, not.
        let narrower = streamed ? [] : plan.narrowerKeys(catalog)
        for (index, fit) in narrower.enumerated() where !narrower[..<index].contains(where: { $0.fk.name == fit.fk.name }) {
            let columns = narrower.filter { $0.fk.name == fit.fk.name }.map(\.child)
            reasons.append("\(fit.fk.name): new keys of \(columns.joined(separator: ", ")) that \(fit.parentTable.display)'s narrower type cannot hold "
                + "exactly are not looked for (the load sets their rows aside)")
        }
        // The load compares each new key with the parent's keys (LoadRun.rejectNearDuplicates).
        if plan.nearDuplicates == .reject {
            reasons.append("near_duplicates: reject: new keys that look like another key are not looked for (the load sets their rows aside)")
        }
        reasons += try parentsNotEvaluated(plan: plan, catalog: catalog, facts: facts, streamed: streamed)
        return reasons
    }

    /// Those of `tables` whose row-level security applies to this session's role.
    func rowSecurityActive(_ tables: [Table]) throws -> [TableName] {
        guard !tables.isEmpty else { return [] }
        let oids = Array(Set(tables.map { String($0.oid) })).sorted()
        let active = Set(try session.execute(
            "SELECT CAST(c.oid AS pg_catalog.text) AS oid FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) ANY (CAST(\(bindArray: oids) AS pg_catalog.oid[])) "
                + "AND c.relrowsecurity AND pg_catalog.row_security_active(c.oid)").rows.map { try $0.string("oid") })
        return Array(Set(tables.filter { active.contains(String($0.oid)) }.map(\.name))).sorted()
    }

    /// A derived value that cannot come out NULL, whatever the rows: an aggregate of an
    /// input column the target holds NOT NULL (a row with NULL there is a finding of its
    /// own), a count, a constant, a new sequence value or uuid. Not named in `notExact`:
    /// a portfolio's plan code, taken from the fact rows' NOT NULL plan code, was named
    /// on every read-only check of the annuity schema.
    static func neverNull(_ derived: ColumnPlan, plan: LoadPlan) -> Bool {
        func notNullInput(_ name: String) -> Bool { plan.stagedColumns.first { $0.name == name }?.refusesNull == true }
        switch derived.source {
        case .staged(let column, _):
            return notNullInput(column)
        case .rule(let rule):
            switch rule.source {
            case .from(_, .countDistinct): return true
            case .from(let column, _): return notNullInput(column)
            case .value: return true
            case .sql(let expression):
                let text = expression.trimmingCharacters(in: .whitespaces).lowercased()
                return (text.hasPrefix("nextval(") || text == "gen_random_uuid()" || text == "pg_catalog.gen_random_uuid()") && text.hasSuffix(")")
                    && text.filter({ $0 == "(" }).count == 1
            default: return false
            }
        default:
            return false
        }
    }
}

extension Validator {
    /// Whether the values the insert gives `key`'s `lacking` columns cannot clash: every
    /// such column left NULL under NULLS DISTINCT, or one column whose sequence (identity
    /// or serial) will give values above every stored key.
    func insertFillsSafely(_ key: TargetConstraints.UniqueKey, _ lacking: [String], of target: Table) throws -> Bool {
        let columns = lacking.compactMap { name in target.columns.first { $0.name == name } }
        guard columns.count == lacking.count else { return false }
        if !key.nullsNotDistinct, columns.allSatisfy({ $0.defaultExpression == nil && !$0.isDatabaseGenerated }) { return true }
        guard key.columns.count == 1, let column = columns.first else { return false }
        return try sequenceIsAhead(column, of: target)
    }

    /// Whether `column` is filled by a sequence (identity or serial) whose next value is
    /// above every stored one, so that new rows taking its values clash with none there.
    func sequenceIsAhead(_ column: Column, of target: Table) throws -> Bool {
        guard column.generatedExpression == nil, column.isSequenceFed else { return false }
        let row = try session.execute(
            """
            SELECT (SELECT pg_catalog.max(t.\(ident: column.name)) FROM \(KeyPredicates.rows(of: target)) t) AS stored,
                   pg_catalog.pg_get_serial_sequence(\(bind: target.name.sql.description), \(bind: column.name)) AS sequence
            """).rows[0]
        guard let sequence = row["sequence"] else { return false }
        guard let stored = row["stored"] else { return true }
        // A role that may not read the sequence (a CI role with SELECT on tables only) cannot tell.
        guard try session.execute("SELECT pg_catalog.has_sequence_privilege(\(bind: sequence), 'SELECT') AS readable").rows[0].bool("readable") else { return false }
        // Safe as raw text: pg_get_serial_sequence's quoted, qualified name.
        // On a standby the sequence reads as the primary last WAL-logged it: up to 32 values
        // (SEQ_LOG_VALS) past the primary's own next value, which may be that much lower.
        let next = try session.execute(
            "SELECT CAST(CASE WHEN s.is_called THEN s.last_value OPERATOR(pg_catalog.+) q.seqincrement ELSE s.last_value END AS pg_catalog.numeric) "
                + "OPERATOR(pg_catalog.-) CASE WHEN pg_catalog.pg_is_in_recovery() THEN 32 OPERATOR(pg_catalog.*) q.seqincrement ELSE 0 END "
                + "OPERATOR(pg_catalog.>) CAST(\(bind: stored) AS pg_catalog.numeric) AND q.seqincrement OPERATOR(pg_catalog.>) 0 AS ahead "
                + "FROM \(SQL(unsafeRaw: sequence)) s, pg_catalog.pg_sequence q "
                + "WHERE q.seqrelid OPERATOR(pg_catalog.=) CAST(CAST(\(bind: sequence) AS pg_catalog.text) AS pg_catalog.regclass)").rows.first
        return next?.bool("ahead") ?? false
    }
}
