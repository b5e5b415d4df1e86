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
/// The insert runs in replica mode, so the parents need not exist yet; the verify after
/// the backfill reads what was stored either way, so this order is never less safe than
/// the other. What it changes is what the fact insert can see: parents without their new
/// rows. So it is taken only where nothing the insert evaluates could look at them, and
/// where the staged and the stored keys are the same values by construction:
/// - the set-based check with nothing blocking it, not on Citus;
/// - no target in a cycle, no self-reference, no parent in fill-null-only mode;
/// - every staged key set is an FK's key set that `fkb_stored` groups (no declared
///   relation, no FK on one partition), with default equality (`groupable`);
/// - nothing of the target's own the verdict cannot evaluate (`inexactness`: a partition's
///   own generated column, say);
/// - no DEFAULT, generated column, CHECK, domain or index expression of the target calls
///   a function of the user's (of any volatility: an IMMUTABLE one can still read a
///   table), and no DEFAULT calls a sequence other than the target's own.
/// Elsewhere the load keeps the order parents, then facts.
extension LoadRun {
    func insertsBeforeBackfill() throws -> Bool {
        guard options.loadTarget, options.fkCheck != .perRow, !targetFirst, plan.targetCycle == nil,
              !plan.parents.contains(where: { $0.isTarget || $0.mode == .fillNullOnly }),
              constraints.inexactness.isEmpty, try citusTarget() == nil else { return false }
        var candidate = FKCheck(plan: plan, catalog: catalog, sql: sql)
        candidate.onCitus = false
        guard sql.createSeen(fromStored: candidate.keySets) != nil, candidate.storedColumns.count <= 31,
              try candidate.blockers(on: session).isEmpty, try candidate.groupable(on: session),
              try !insertCallsUserCode() else { return false }
        try chooseFKCheck()
        return check != nil
    }

    /// Whether the target's insert evaluates code of the user's or another table's sequence.
    func insertCallsUserCode() throws -> Bool {
        let oid: SQL = "CAST(\(bind: String(target.oid)) AS pg_catalog.oid)"
        return try session.execute(
            """
            WITH RECURSIVE rel AS (SELECT \(oid) AS oid UNION SELECT pt.relid FROM pg_catalog.pg_partition_tree(\(oid)) pt),
            domains(oid) AS (
                SELECT a.atttypid FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                WHERE a.attrelid IN (SELECT oid FROM rel) AND a.attnum > 0 AND NOT a.attisdropped AND t.typtype = 'd'
                UNION
                SELECT t.typbasetype FROM domains d JOIN pg_catalog.pg_type t ON t.oid = d.oid
                JOIN pg_catalog.pg_type b ON b.oid = t.typbasetype WHERE b.typtype = 'd'
            ),
            objects(classid, objid) AS (
                SELECT CAST('pg_catalog.pg_attrdef' AS pg_catalog.regclass), ad.oid FROM pg_catalog.pg_attrdef ad
                WHERE ad.adrelid IN (SELECT oid FROM rel)
                UNION ALL
                SELECT CAST('pg_catalog.pg_constraint' AS pg_catalog.regclass), c.oid FROM pg_catalog.pg_constraint c
                WHERE (c.conrelid IN (SELECT oid FROM rel) AND c.contype IN ('c', 'x')) OR c.contypid IN (SELECT oid FROM domains)
                UNION ALL
                SELECT CAST('pg_catalog.pg_type' AS pg_catalog.regclass), d.oid FROM domains d
                UNION ALL
                SELECT CAST('pg_catalog.pg_class' AS pg_catalog.regclass), x.indexrelid FROM pg_catalog.pg_index x
                WHERE x.indrelid IN (SELECT oid FROM rel)
            )
            SELECT EXISTS (
                SELECT 1 FROM pg_catalog.pg_depend d JOIN objects o ON o.classid OPERATOR(pg_catalog.=) d.classid AND o.objid OPERATOR(pg_catalog.=) d.objid
                WHERE (d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_proc' AS pg_catalog.regclass)
                       -- a domain's base type's I/O functions convert values, they read nothing
                       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type t WHERE d.refobjid IN (
                           CAST(t.typinput AS pg_catalog.oid), CAST(t.typoutput AS pg_catalog.oid), CAST(t.typreceive AS pg_catalog.oid),
                           CAST(t.typsend AS pg_catalog.oid), CAST(t.typmodin AS pg_catalog.oid), CAST(t.typmodout AS pg_catalog.oid))))
                   OR (d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                       AND EXISTS (SELECT 1 FROM pg_catalog.pg_class s WHERE s.oid OPERATOR(pg_catalog.=) d.refobjid AND s.relkind = 'S')
                       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend w
                           WHERE w.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                             AND w.objid OPERATOR(pg_catalog.=) d.refobjid AND w.deptype IN ('a', 'i')
                             AND w.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                             AND w.refobjid IN (SELECT oid FROM rel)))
            ) AS calls
            """).rows.first?.bool("calls") ?? true
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
            cases.append("WHEN \(int: position + 1) THEN \(int: index + 1)")
            sets.append("\(int: position + 1)")
        }
        var columns: [String] = []
        for set in keySets { for column in set where !columns.contains(column) { columns.append(column) } }
        let list = KeyPredicates.columns("g", columns).joined(separator: ", ")
        let count: SQL = byPartition ? "CAST(pg_catalog.sum(g._fkb_n) AS pg_catalog.int8)" : "g._fkb_n"
        return "CREATE TEMP TABLE \(Self.seen) ON COMMIT DROP AS SELECT CASE g._fkb_set \(cases.joined(separator: " ")) END AS _fkb_set, "
            + "\(list), \(count) AS _fkb_n FROM \(FKCheck.stored) g "
            + "WHERE g._fkb_set OPERATOR(pg_catalog.=) ANY (ARRAY[\(sets.joined(separator: ", "))])"
            + (byPartition ? " GROUP BY g._fkb_set, \(list)" : "")
    }
}
