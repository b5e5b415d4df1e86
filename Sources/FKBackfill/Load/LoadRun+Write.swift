import Foundation
import PostgresClient

/// The steps that write: backfill parents, set rejects aside, delete replaced rows, check
/// and insert the fact rows, and the report's per-parent lines.
extension LoadRun {
    /// Step "backfill parents": new rows parents first, then cycle columns, then fills.
    /// `phase` splits it around the fact insert when the target sits in a cycle.
    func backfillParents(_ phase: BackfillPhase = .all) throws {
        let targetCycle = targetAsParent?.cycle
        let writes = plan.parents.filter { parentStates[$0.index].available && phase.includes($0, targetCycle: targetCycle) }
        if phase != .afterTarget {
            try lockCitusParents()
            if let deferConstraints = sql.setConstraintsDeferred() { try session.execute(deferConstraints) }
        }
        for parent in writes {
            guard parentStates[parent.index].hasMissingKeys else { continue }
            stepStarted?("backfill parents: \(parent.table.name.display)")
            // The user's triggers, rules and defaults on the parent run as in their session.
            try refusingNewRows(of: parent) {
                try session.execute(sql.createNewRows(parent))
                try session.execute(sql.createInsertedRows(parent))
                let arbiter = try ParentArbiter.read(parent, on: session)
                if try arbiter == .none || ParentHooks.hasRules(parent.table, on: session) {
                    try session.underUserSearchPath { try session.execute(sql.insertNewRowsUnderRules(parent)) }
                    try session.execute(sql.insertedUnderRules(parent))
                } else {
                    try session.underUserSearchPath { try session.execute(sql.insertNewRows(parent, arbiter: arbiter)) }
                }
            }
            let row = try session.execute(sql.insertedRowsReport(parent, samples: max(options.samples, 0))).rows[0]
            parentStates[parent.index].inserted = row.int("n") ?? 0
            let keys = row["sample"].flatMap { try? JSONDecoder().decode([[String?]].self, from: Data($0.utf8)) } ?? []
            parentStates[parent.index].insertedKeys = keys
            try refuseChangedKeys(parent)
            try refuseReplicaSwitch(during: "inserting new rows of \(parent.table.name.display)")
        }
        for parent in writes {
            if let restore = sql.restoreDeferredColumns(parent) { try session.underUserSearchPath { try session.execute(restore) } }
        }
        for parent in writes where parent.mode == .fillNullOnly && (phase == .afterTarget || !fillsAfterTarget(parent)) {
            try fillNulls(of: parent)
        }
    }

    /// `fill-null-only`: the NULL columns of the parent's existing referenced rows.
    func fillNulls(of parent: ParentPlan) throws {
        guard let fill = try fillNullsStatement(parent), let lock = try lockFilledRowsStatement(parent) else { return }
        try session.execute(lock)
        do {
            parentStates[parent.index].updated = try session.underUserSearchPath { try session.execute(fill).affectedRows }
        } catch let error as PostgresError where Self.isRefusal(error) || error.isDataException || (error.context != nil && Self.failsTheLoad(error)) {
            // A CHECK, a domain, a unique index or the user's UPDATE trigger refusing the
            // filled values: the parent's refusal, named, not a database error (exit 3:
            // hostile review 17, the annuity customers' mode).
            blockedTables.insert(parent.table.name)
            throw FKBackfillError(
                "existing rows of \(parent.table.name.display) could not be filled (mode: fill_null_only): \(error.message), nothing was written",
                details: error.detail.map { [$0] } ?? [],
                hint: "give the filled columns values that fit \(parent.table.name.display) (a rule per column, docs/rules.md), "
                    + "or leave its existing rows alone (mode: insert_missing)",
                kind: .blocked, cause: error)
        }
    }

    /// Counts the rows set aside, writes them where asked, and stops past --max-rejects.
    /// Only an UPDATE of the stage sets rows aside; without one there is nothing to count.
    func setAsideRejects() throws {
        let rejected = stageUpdated ? try session.execute(sql.rejections(samples: max(options.samples, 1))).rows : []
        for row in rejected {
            let numbers = row.array("sample").compactMap { $0.flatMap { Int($0) } }
            report.rejections.append(.init(
                reason: try row.string("reason"), rows: row.int("n") ?? 0, sampleRows: numbers, sampleLines: numbers.map(line(ofRow:))))
        }
        report.rejected = report.rejections.reduce(0) { $0 + $1.rows }
        if report.rejected > 0 { try writeRejects() }
        if report.rejected > options.maxRejects {
            throw FKBackfillError(
                "\(counted(report.rejected, "input row")) rejected (at most \(options.maxRejects) allowed), nothing was written",
                details: report.rejections.map {
                    "\(counted($0.rows, "row")): \($0.reason) (\(lineList($0.sampleLines, fileLines: report.linesAreFileLines, more: $0.rows > $0.sampleLines.count)))"
                },
                hint: "fix those rows, or allow more rejects to load the rest",
                kind: .tooManyRejects)
        }
    }

    /// Step "delete replaced rows" (`--replace-by`).
    ///
    /// Reloads of the same data serialize here: each locks its replace-by values (a lock
    /// per value, taken in one order, under a shared lock on the target; more than 64
    /// values take the target's lock whole). The DELETE that follows runs on a snapshot
    /// taken after the lock, so it sees, and removes, what an earlier reload committed.
    func deleteReplaced() throws {
        let limit = 64
        // A type without a hash function (json, say) cannot be keyed: lock the target whole.
        let keys = try? session.savepoint {
            try session.execute(sql.replaceKeys(options.replaceBy, limit: limit + 1)).rows.map { try $0.string("k") }
        }
        let prefix = "fkbackfill replace \(target.oid)"
        if let keys, keys.count <= limit {
            // One statement: the shared lock, then each value's, in the keys' order.
            try session.execute(
                """
                SELECT pg_catalog.count(*) FROM (
                    SELECT pg_catalog.pg_advisory_xact_lock_shared(pg_catalog.hashtextextended(\(bind: prefix), 0)) AS locked
                    UNION ALL
                    SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(\(bind: prefix), k.key))
                    FROM (SELECT u.key FROM pg_catalog.unnest(CAST(\(bindArray: keys) AS pg_catalog.int8[])) WITH ORDINALITY AS u(key, n) ORDER BY u.n) k
                ) l
                """)
        } else {
            try session.execute("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(\(bind: prefix), 0))")
        }
        do {
            report.deleted = try session.underUserSearchPath { try session.execute(sql.deleteReplaced(options.replaceBy)).affectedRows }
        } catch let error as PostgresError where Self.isRefusal(error) {
            // Another table still references a row the reload replaces: PostgreSQL's FK
            // (NO ACTION, RESTRICT) refuses the DELETE. The data's to change, not the run.
            throw FKBackfillError(
                "--replace-by would delete rows of \(target.name.display) that are still referenced: \(error.message), nothing was written",
                details: error.detail.map { [$0] } ?? [],
                hint: "delete or repoint the referencing rows first, or reload without --replace-by", kind: .blocked, cause: error)
        }
    }

    /// Set-based when it is safe (and not refused), else per-row with the reason.
    func chooseFKCheck() throws {
        var check = FKCheck(plan: plan, catalog: catalog, sql: sql)
        check.onCitus = try citusTarget() != nil
        report.fkCheck = options.fkCheck == .perRow ? .perRow : .setBased
        guard options.fkCheck != .perRow else { return try noteCitusFKCheck() }
        var blockers = try cachedBlockers(check)
        if targetFirst, let cycle = plan.targetCycle {
            blockers.append("\(target.name.display) is in a cycle (\(cycle.display)): its rows go in before that cycle's parents")
        }
        if blockers.isEmpty {
            self.check = check
            try noteCitusFKCheck()
            return
        }
        if options.fkCheck == .setBased {
            throw FKBackfillError(
                "the set-based FK check is not safe for \(target.name.display), nothing was written", details: blockers,
                hint: "use the automatic choice (falls back to per-row) or the per-row check", kind: .setBasedCheckUnsafe)
        }
        report.fkCheck = .perRow
        report.fkCheckNote = "per-row because " + blockers.joined(separator: "; ")
        try noteCitusFKCheck()
    }

    /// Citus only, before the insert: lock the referenced parents of the staged keys in
    /// their coordinator copies (the rows cannot be read back from the shards).
    func lockParents() throws {
        guard let check, check.onCitus else { return }
        for fk in check.checkedKeys { try session.execute(check.lockStaged(fk)) }
    }

    /// Citus only, before the insert: one anti-join per FK over the distinct staged keys.
    func verifyForeignKeys() throws {
        guard let check, check.onCitus else { return }
        try throwViolations(check.checkedKeys.map { check.stagedViolations($0, samples: max(options.samples, 1)) }, check)
    }

    /// Step "lock and verify stored rows": per FK, the stored rows' parents locked and
    /// the rows no locked parent matches counted, as PostgreSQL's RI check does per row.
    func verifyStoredRows() throws {
        guard let check, !check.onCitus else { return }
        try session.reassertLoadSettings()
        // Without statistics the planner takes the stored keys for a handful of rows and
        // the locked parents for one, and compares them by a nested loop: quadratic in
        // the new keys (1,000 rows, 916 new portfolios: 135 ms for one FK). Sampled, a few
        // milliseconds, the comparison is hashed.
        try session.execute("ANALYZE \(FKCheck.stored)")
        try throwViolations(check.checkedKeys.map { check.verify($0, samples: max(options.samples, 1)) }, check)
    }

    private func throwViolations(_ statements: [SQL], _ check: FKCheck) throws {
        var violations: [String] = []
        for (fk, statement) in zip(check.checkedKeys, statements) {
            let row = try session.execute(statement).rows[0]
            let count = row.int("n") ?? 0
            guard count > 0 else { continue }
            let sample = row.array("sample").map { $0 ?? "NULL" }.joined(separator: ", ")
            violations.append("\(count) rows violate \(fk.name) → \(fk.referencedTable.display) (keys \(sample))")
        }
        if !violations.isEmpty {
            throw FKBackfillError(
                "the set-based FK check found violations, nothing was written", details: violations,
                hint: "`fkbackfill validate` shows every violating row; a rule (on_missing: reject) can set them aside",
                kind: .foreignKeyViolations)
        }
    }

    /// Step "insert target rows": set-based with the RI triggers off for this statement
    /// only, or per-row with PostgreSQL's own check. Either way, where the role may read
    /// them back, the stored keys go into `fkb_stored` (`RETURNING`): the set-based
    /// verify reads them, and every row is accounted for (`noteSkippedRows`).
    func insertTarget() throws {
        // What the insert is given: every staged row not set aside (counted, not scanned).
        let expected = report.staged - report.rejected
        var reader = check ?? FKCheck(plan: plan, catalog: catalog, sql: sql)
        reader.onCitus = try citusTarget() != nil
        // An INSERT with a rule cannot stand in a WITH (nor return what the rule did).
        let rules = constraints.otherHooks.contains { $0.hasPrefix("rule ") }
        let readBack = check != nil ? !reader.onCitus : try !reader.onCitus && !rules && reader.readable(on: session)
        do {
            try session.savepoint {
                try session.reassertLoadSettings()
                let grouped = readBack ? try cachedGroupable(reader) : false
                if readBack { try session.execute(reader.createStored()) }
                if check != nil {
                    try session.execute("SELECT pg_catalog.set_config('session_replication_role', 'replica', true)")
                    try propagateReplicationRole(replica: true)
                }
                // The user's triggers and defaults on the target run as in their session;
                // the statement holds only names and pg_catalog's own count.
                if readBack {
                    try FKCheck.withReturningMemory(on: session) {
                        try session.underUserSearchPath { try session.execute(reader.insertReturning(ordered: stageUpdated, grouped: grouped)) }
                    }
                    report.inserted = try session.execute(reader.storedCount()).rows[0].int("n") ?? 0
                } else {
                    report.inserted = try session.underUserSearchPath {
                        try session.execute(sql.insertTarget(ordered: stageUpdated)).affectedRows
                    }
                }
                if check != nil {
                    try session.execute("SELECT pg_catalog.set_config('session_replication_role', 'origin', true)")
                    try propagateReplicationRole(replica: false)
                }
            }
        } catch let error as PostgresError where Self.isRefusal(error) {
            throw try refusal(error)
        }
        if check == nil { try refuseReplicaSwitch(during: "inserting the rows of \(target.name.display)") }
        try noteSkippedRows(expected: expected, readBack: readBack ? reader : nil)
    }

    /// loaded + rejected + skipped = input: rows the insert was given but did not store
    /// (a BEFORE trigger returned NULL, a rule did something else) are counted and their
    /// triggers and rules named; with the stored keys at hand, so are new parent keys
    /// that no stored row references.
    func noteSkippedRows(expected: Int, readBack: FKCheck?) throws {
        guard expected > report.inserted else { return }
        report.skipped = expected - report.inserted
        report.skippedBy = constraints.beforeInsertTriggers.map { "trigger \($0)" } + constraints.otherHooks.filter { $0.hasPrefix("rule ") }
        guard let readBack else { return }
        // A target-first load stored its cyclic columns NULL: those keys are not read back.
        let nulled = targetFirst ? Set(plan.targetCycle?.nulledTargetColumns ?? []) : []
        for parent in plan.parents where parentStates[parent.index].inserted > 0
            && !parent.sources.contains(where: { !nulled.isDisjoint(with: $0.foreignKey.columns) }) {
            let fks = parent.sources.compactMap { source -> ForeignKey? in
                if case .staged = source.origin, source.foreignKey.table == target.name, !source.foreignKey.declared { return source.foreignKey }
                return nil
            }
            // Only a parent whose keys all come from the target's own rows.
            guard !fks.isEmpty, fks.count == parent.sources.count else { continue }
            let referenced = fks.map { fk -> SQL in
                // The keys table's operators (`keyJoin`): its values are of the UNION of every source's types.
                let stored = sql.keyPositions(parent, fk).map { pair -> SQL in "g.\(ident: fk.columns[pair])" }
                let match = sql.keyJoin(left: sql.kList("v", parent), right: stored, parent)
                return "EXISTS (SELECT 1 FROM \(FKCheck.stored) g WHERE \(readBack.applies(fk)) AND \(match))"
            }.joined(separator: " OR ")
            let unused = try session.execute(
                "SELECT pg_catalog.count(*) AS n FROM \(LoadStatements.values(parent.index)) v WHERE v._fkb_missing AND NOT (\(referenced))"
            ).rows[0].int("n") ?? 0
            if unused > 0 { report.unstoredParents.append(.init(table: parent.table.name, keys: unused)) }
        }
    }

    /// The report's line per parent, with the keys this run really inserted.
    func reportParents() throws {
        for parent in plan.parents {
            let count = parentStates[parent.index].counts ?? (0, 0)
            report.parents.append(LoadReport.Parent(
                table: parent.table.name, candidates: count.candidates, present: count.present,
                inserted: parentStates[parent.index].inserted, updated: parentStates[parent.index].updated,
                sampleKeys: options.samples > 0 ? parentStates[parent.index].insertedKeys : []))
        }
    }
}
