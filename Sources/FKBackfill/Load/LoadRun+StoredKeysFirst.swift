import PostgresClient

/// The set-based load's other order: the fact rows go in first, and the keys the
/// backfill looks up are read from the rows as stored.
///
/// The set-based check already groups every stored row's keys, per FK, in the insert's
/// own pass (`fkb_stored`, issue #23). Finding missing keys grouped the staged rows the
/// same way (`fkb_seen`): a second hash of every row, 0.08 s of 1.3 s at 200,000 rows and
/// about 0.36 s at a million. With the insert first, `fkb_seen` is copied from
/// `fkb_stored` (a few thousand rows), so the rows are grouped once (issues #23 and #25).
///
/// The insert runs in replica mode, so the parents need not exist yet, and the verify
/// after the backfill reads what was stored, as in the other order. What the order
/// changes is what each side's code can see: the fact insert sees parents without their
/// new rows, and the parents' inserts see the fact rows. So it is taken only where no
/// code on either side runs that could look (`insertsBeforeBackfill`), and where the
/// staged and the stored keys are the same values by construction. And it is optimistic:
/// should the first insert fail at all, it is rolled back and the load goes on in the
/// parents-first order from there (`firstInsert`), so that what stops a load, and which
/// finding comes first, is what that order says.
extension LoadRun {
    /// Whether this load inserts its facts first:
    /// - the set-based check with nothing blocking it, not on Citus;
    /// - no target in a cycle, no self-reference, no parent in fill-null-only mode;
    /// - every staged key set is an FK's key set that `fkb_stored` groups (no declared
    ///   relation, no FK on one partition), with default equality (`groupable`);
    /// - nothing of the target's own the verdict cannot evaluate (`inexactness`: a
    ///   partition's own generated column, say);
    /// - no code that could read the other side (`readsTheOtherSide`).
    func insertsBeforeBackfill() throws -> Bool {
        guard options.loadTarget, options.fkCheck != .perRow, !targetFirst, plan.targetCycle == nil,
              !plan.parents.contains(where: { $0.isTarget || $0.mode == .fillNullOnly }),
              constraints.inexactness.isEmpty, try citusTarget() == nil else { return false }
        var candidate = FKCheck(plan: plan, catalog: catalog, sql: sql)
        candidate.onCitus = false
        guard sql.createSeen(fromStored: candidate.keySets) != nil, candidate.storedColumns.count <= 31,
              try cachedBlockers(candidate).isEmpty, try cachedGroupable(candidate),
              try !readsTheOtherSide() else { return false }
        try chooseFKCheck()
        return check != nil
    }

    /// `check.blockers`, read once a run (the catalog does not change under the run's locks),
    /// with JIT off: the estimates of its catalog lookups passed JIT's threshold, and
    /// compiling them cost 33 ms where running them costs half a millisecond.
    func cachedBlockers(_ check: FKCheck) throws -> [String] {
        if let setBasedBlockers { return setBasedBlockers }
        let blockers = try CatalogReader.withJITOff(on: session) { try check.blockers(on: session) }
        setBasedBlockers = blockers
        return blockers
    }

    /// `check.groupable`, read once a run.
    func cachedGroupable(_ check: FKCheck) throws -> Bool {
        if let storedKeysGroupable { return storedKeysGroupable }
        let groupable = try check.groupable(on: session)
        storedKeysGroupable = groupable
        return groupable
    }

    /// The optimistic first insert (and the delete of `--replace-by` before it), in a
    /// savepoint: true when it went in. Any failure a data or user-code error could cause
    /// rolls it back, its diagnosis included, and returns false; the caller then loads in
    /// the parents-first order (`keysFromStored` false). A cancel, a lost connection or a
    /// lock wait ends the run as in either order.
    func firstInsert(_ deleteAndInsert: () throws -> Void) throws -> Bool {
        do {
            try session.savepoint { try deleteAndInsert() }
            return true
        } catch let error as FKBackfillError where error.category == .findings
                    || (error.category == .database && error.kind != .lockTimeout && error.kind != .connectionFailed && error.kind != .catalogChanged) {
            keysFromStored = false
            return false
        } catch let error as PostgresError where Self.failsTheLoad(error) {
            keysFromStored = false
            return false
        }
    }

    /// A server error of the statements themselves (the data, the user's code), not of the
    /// session: a lock wait, a cancel, a lost connection or an exhausted resource stops a
    /// load, or validate's trial, as it would any command, in either order.
    static func failsTheLoad(_ error: PostgresError) -> Bool {
        guard error.kind == .server, let state = error.sqlState else { return false }
        if state == SQLState.queryCanceled || state == SQLState.lockNotAvailable { return false }
        return !["08", "53", "57", "58", "XX"].contains { state.hasPrefix($0) }
    }

    /// The rows staging set aside (it decides every reject), counted before the first
    /// insert: the insert reads how many rows it was given from `report.rejected`, which
    /// `setAsideRejects` reports (and checks against `--max-rejects`) only after the
    /// backfill, where the parents-first order has it.
    func countSetAside() throws {
        guard stageUpdated else { return }
        report.rejected = try session.execute(
            "SELECT pg_catalog.count(*) AS n FROM \(LoadStatements.stage) s WHERE s._fkb_reject IS NOT NULL").rows.first?.int("n") ?? 0
    }

    /// Whether code could run that reads the other side of the new order. The catalog
    /// cannot say what a function reads (an IMMUTABLE one can still read a table, and one
    /// is reached through an operator, a domain, an array of a domain, a partition key or
    /// a rule's `sql:`), so the test is the other way round: facts first only where
    /// everything both sides evaluate is built in. It reads code when
    /// - a rule derives a parent column with `sql:` that reads more than its rows with
    ///   built-in code (`SQLExpressionCheck.readsOnlyItsRows`);
    /// - the target, its partitions or a parent (and theirs) depend on a function, an
    ///   operator or a type that is not built in (a domain, an enum, an extension's type:
    ///   a user type may carry code), through the table (column types, the partition key),
    ///   a DEFAULT or generated column, a constraint or an index;
    /// - one of those expressions calls a built-in that is not IMMUTABLE, but for the
    ///   transaction's clock, `random`, `gen_random_uuid` and `nextval` (`currval`,
    ///   `lastval`, `query_to_xml` read what the order changes);
    /// - a DEFAULT calls a sequence that is not the table's own;
    /// - a parent has an INSERT trigger or rule.
    func readsTheOtherSide() throws -> Bool {
        for parent in plan.parents {
            for column in parent.columns {
                guard case .rule(let rule) = column.source, case .sql(let expression) = rule.source else { continue }
                if try !SQLExpressionCheck.readsOnlyItsRows(expression, columns: plan.stagedColumns, on: session) { return true }
            }
        }
        let roots = [String(target.oid)] + plan.parents.map { String($0.table.oid) }
        let harmless = ["now", "transaction_timestamp", "random", "gen_random_uuid", "nextval"]
        // JIT off: the fences below make the planner's cost high enough to compile (50 ms)
        // a query that runs in one.
        return try CatalogReader.withJITOff(on: session) { try session.execute(
            """
            WITH RECURSIVE roots AS (SELECT DISTINCT r.root FROM pg_catalog.unnest(CAST(\(bindArray: roots) AS pg_catalog.oid[])) AS r(root)),
            rel AS (SELECT r.root, r.root AS oid FROM roots r
                    UNION SELECT r.root, pt.relid FROM roots r CROSS JOIN LATERAL pg_catalog.pg_partition_tree(r.root) pt),
            -- Each catalog is read by its index, one table at a time (LATERAL, and OFFSET 0
            -- so that the planner keeps it so: it guesses hundreds of tables here, and
            -- would hash whole catalogs): a few ms whatever the size of the catalog.
            objects(root, classid, objid, tree) AS (
                SELECT rel.root, CAST('pg_catalog.pg_class' AS pg_catalog.regclass), rel.oid, CAST(NULL AS pg_catalog.text) FROM rel
                UNION ALL
                SELECT rel.root, CAST('pg_catalog.pg_attrdef' AS pg_catalog.regclass), ad.oid, CAST(ad.adbin AS pg_catalog.text)
                FROM rel CROSS JOIN LATERAL (SELECT ad.oid, ad.adbin FROM pg_catalog.pg_attrdef ad WHERE ad.adrelid OPERATOR(pg_catalog.=) rel.oid OFFSET 0) ad
                UNION ALL
                SELECT rel.root, CAST('pg_catalog.pg_constraint' AS pg_catalog.regclass), c.oid, CAST(c.conbin AS pg_catalog.text)
                FROM rel CROSS JOIN LATERAL (SELECT c.oid, c.conbin FROM pg_catalog.pg_constraint c
                    WHERE c.conrelid OPERATOR(pg_catalog.=) rel.oid OFFSET 0) c
                UNION ALL
                SELECT rel.root, CAST('pg_catalog.pg_class' AS pg_catalog.regclass), x.indexrelid,
                       pg_catalog.concat(CAST(x.indexprs AS pg_catalog.text), ' ', CAST(x.indpred AS pg_catalog.text))
                FROM rel CROSS JOIN LATERAL (SELECT x.indexrelid, x.indexprs, x.indpred FROM pg_catalog.pg_index x
                    WHERE x.indrelid OPERATOR(pg_catalog.=) rel.oid OFFSET 0) x
            ),
            depends AS (
                SELECT o.root, d.refclassid, d.refobjid FROM objects o CROSS JOIN LATERAL (
                    SELECT d.refclassid, d.refobjid FROM pg_catalog.pg_depend d
                    WHERE d.classid OPERATOR(pg_catalog.=) o.classid AND d.objid OPERATOR(pg_catalog.=) o.objid OFFSET 0) d
            )
            SELECT EXISTS (
                -- Built-in objects have OIDs below FirstNormalObjectId (16384).
                SELECT 1 FROM depends d
                WHERE d.refobjid OPERATOR(pg_catalog.>=) CAST(16384 AS pg_catalog.oid)
                  AND d.refclassid IN (CAST('pg_catalog.pg_proc' AS pg_catalog.regclass), CAST('pg_catalog.pg_operator' AS pg_catalog.regclass),
                                       CAST('pg_catalog.pg_type' AS pg_catalog.regclass))
            ) OR EXISTS (
                SELECT 1 FROM depends d
                WHERE d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                  AND EXISTS (SELECT 1 FROM pg_catalog.pg_class s WHERE s.oid OPERATOR(pg_catalog.=) d.refobjid AND s.relkind = 'S')
                  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend w JOIN rel own ON own.oid OPERATOR(pg_catalog.=) w.refobjid
                      WHERE w.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                        AND w.objid OPERATOR(pg_catalog.=) d.refobjid AND w.deptype IN ('a', 'i')
                        AND w.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                        AND own.root OPERATOR(pg_catalog.=) d.root)
            ) OR EXISTS (
                -- Built-ins are not in pg_depend: their calls are read from the expression trees.
                SELECT 1 FROM objects o
                CROSS JOIN LATERAL pg_catalog.regexp_matches(o.tree, ':(?:func|opfunc)id ([0-9]+)', 'g') AS m(v)
                JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) CAST(m.v[1] AS pg_catalog.oid)
                WHERE p.provolatile <> 'i' AND NOT (p.pronamespace OPERATOR(pg_catalog.=) CAST('pg_catalog' AS pg_catalog.regnamespace)
                                                    AND p.proname OPERATOR(pg_catalog.=) ANY (CAST(\(bindArray: harmless) AS pg_catalog.name[])))
            ) OR EXISTS (
                SELECT 1 FROM rel CROSS JOIN LATERAL (SELECT 1 FROM pg_catalog.pg_trigger t
                    WHERE t.tgrelid OPERATOR(pg_catalog.=) rel.oid AND NOT t.tgisinternal AND t.tgenabled <> 'D' AND (t.tgtype & 4) <> 0 OFFSET 0) t
                WHERE rel.root OPERATOR(pg_catalog.<>) CAST(\(bind: String(target.oid)) AS pg_catalog.oid)
            ) OR EXISTS (
                SELECT 1 FROM rel CROSS JOIN LATERAL (SELECT 1 FROM pg_catalog.pg_rewrite r
                    WHERE r.ev_class OPERATOR(pg_catalog.=) rel.oid AND r.rulename <> '_RETURN' AND r.ev_enabled <> 'D' AND r.ev_type = '3' OFFSET 0) r
                WHERE rel.root OPERATOR(pg_catalog.<>) CAST(\(bind: String(target.oid)) AS pg_catalog.oid)
            ) AS reads
            """).rows.first?.bool("reads") ?? true }
    }
}

extension LoadStatements {
    /// `fkb_seen` from `fkb_stored`: the same table `createSeen` builds from the stage
    /// (set numbers, columns, row counts), from the keys the insert stored and grouped,
    /// summed over partitions where the insert grouped `byPartition` too (else each key
    /// is one row already). Nil when some staged key set is not one of `stored`'s
    /// (`FKCheck.keySets`).
    func createSeen(fromStored stored: [[String]], byPartition: Bool = true) -> SQL? {
        guard !keySets.isEmpty else { return nil }
        var cases: [SQL] = [], sets: [SQL] = []
        for (index, set) in keySets.enumerated() {
            guard let position = stored.firstIndex(where: { Set($0) == Set(set) }) else { return nil }
            cases.append("WHEN g._fkb_set OPERATOR(pg_catalog.=) \(int: position + 1) THEN \(int: index + 1)")
            sets.append("\(int: position + 1)")
        }
        var columns: [String] = []
        for set in keySets { for column in set where !columns.contains(column) { columns.append(column) } }
        let list = KeyPredicates.columns("g", columns).joined(separator: ", ")
        let count: SQL = byPartition ? "CAST(pg_catalog.sum(g._fkb_n) AS pg_catalog.int8)" : "g._fkb_n"
        return "CREATE TEMP TABLE \(Self.seen) ON COMMIT DROP AS SELECT CASE \(cases.joined(separator: " ")) END AS _fkb_set, "
            + "\(list), \(count) AS _fkb_n FROM \(FKCheck.stored) g "
            + "WHERE g._fkb_set OPERATOR(pg_catalog.=) ANY (ARRAY[\(sets.joined(separator: ", "))])"
            + (byPartition ? " GROUP BY g._fkb_set, \(list)" : "")
    }
}
