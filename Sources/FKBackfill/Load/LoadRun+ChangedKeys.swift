import PostgresClient

extension LoadRun {
    /// After a parent's insert: every key asked for must now be in the parent as asked.
    /// A BEFORE INSERT trigger that assigns or rewrites the key, or returns NULL, a rule
    /// that does something else, or a partitioned parent with no partition for the key
    /// would leave the rows that need it without a parent; the load stops here with the
    /// keys asked for, the keys stored, and the triggers and rules that can do it, instead
    /// of failing later on a key it just "inserted".
    func refuseChangedKeys(_ parent: ParentPlan) throws {
        // A parent Citus keeps on its workers cannot be joined to the coordinator's
        // temporary tables; its keys are not read back (docs/scale-out.md).
        if let entry = try citus()?.entry(parent.table.oid), entry.kind == .distributed || entry.kind == .singleShard { return }
        let samples = max(options.samples, 3)
        let row = try session.execute(sql.changedKeys(parent, samples: samples)).rows[0]
        let count = row.int("n") ?? 0
        guard count > 0 else { return }
        let asked = row.array("sample").compactMap { $0 }
        let keys = KeyPredicates.columns("i", parent.keyColumns)
        let stored = try session.execute(
            "SELECT CAST((pg_catalog.array_agg(\(keys.map { "CAST(\($0) AS pg_catalog.text)" as SQL }.joined(separator: " || ', ' || ")) "
                + "ORDER BY \(keys.joined(separator: ", "))))[1:\(bind: samples)] AS pg_catalog.text) AS sample FROM \(LoadStatements.insertedRows(parent.index)) i"
        ).rows[0].array("sample").compactMap { $0 }
        let hooks = try ParentHooks.read(parent.table, on: session)
        blockedTables.insert(parent.table.name)
        throw FKBackfillError(
            "\(count) new \(count == 1 ? "key was" : "keys were") not stored in \(parent.table.name.display) as asked, nothing was written",
            details: ["keys asked for: " + asked.joined(separator: "; "),
                      "keys stored: " + (stored.isEmpty ? "none" : stored.joined(separator: "; "))]
                + (hooks.isEmpty ? [] : ["\(parent.table.name.display) has " + hooks.joined(separator: ", ")]),
            hint: "a trigger or rule on \(parent.table.name.display) changes its keys on INSERT: backfill it yourself, or skip it with a rule (mode: skip)",
            kind: .blocked)
    }
}

/// What can change a parent's rows on INSERT: triggers that fire on INSERT, rules, and
/// for a partitioned parent, the lack of a default partition. Read from the catalog, for
/// the error above, validate's `notExact` and audit.
enum ParentHooks {
    private static func noDefaultPartition(_ oid: SQL) -> SQL {
        // At any level: a default partition partitioned again, with no default of its own, refuses rows too.
        " UNION ALL SELECT DISTINCT 'no default partition' FROM pg_catalog.pg_partitioned_table pt "
            + "WHERE pt.partrelid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(\(oid)) t) AND pt.partdefid = 0"
    }

    /// The enabled user triggers on INSERT of the table or any of its partitions, as
    /// "trigger NAME": BEFORE ones (`before`), which may change or drop the new row, or
    /// AFTER ones, which may refuse it (validate's trial runs the insert for those).
    static func insertTriggers(_ oid: SQL, before: Bool) -> SQL {
        let timing: SQL = before ? "<> 0" : "= 0"
        return """
            SELECT 'trigger ' || t.tgname AS name FROM pg_catalog.pg_trigger t
                WHERE t.tgrelid IN (SELECT \(oid) UNION SELECT pt.relid FROM pg_catalog.pg_partition_tree(\(oid)) pt)
                  AND NOT t.tgisinternal AND t.tgenabled <> 'D' AND (t.tgtype & 4) <> 0 AND (t.tgtype & 2) \(timing)
            """
    }

    /// `routing`: also say when a partitioned parent has no default partition (a cause,
    /// for an error, and a reason for validate to try the parent's insert).
    static func read(_ table: Table, routing: Bool = true, on session: Session) throws -> [String] {
        let oid: SQL = "CAST(\(bind: String(table.oid)) AS pg_catalog.oid)"
        return try session.execute(
            """
            SELECT h.name FROM (
                \(insertTriggers(oid, before: true))
                UNION ALL
                SELECT 'rule ' || r.rulename FROM pg_catalog.pg_rewrite r
                WHERE r.ev_class IN (SELECT \(oid) UNION SELECT pt.relid FROM pg_catalog.pg_partition_tree(\(oid)) pt)
                  AND r.rulename <> '_RETURN' AND r.ev_enabled <> 'D' AND r.ev_type = '3'
                \(routing ? noDefaultPartition(oid) : "")
            ) h ORDER BY h.name
            """).rows.map { try $0.string("name") }
    }
}

extension ParentHooks {
    /// What validate does not evaluate on a parent's new rows, named from the catalog:
    /// exclusion constraints, unique indexes other than the key the rows are inserted
    /// under (a placeholder may collide on them), and row-level security that hides rows
    /// from the role (the prediction may count a hidden key as missing).
    static func unevaluated(_ table: Table, key: [String], on session: Session) throws -> [String] {
        let oid: SQL = "CAST(\(bind: String(table.oid)) AS pg_catalog.oid)"
        return try session.execute(
            """
            SELECT w.what FROM (
                SELECT 'exclusion constraint ' || c.conname AS what FROM pg_catalog.pg_constraint c
                WHERE c.conrelid = \(oid) AND c.contype = 'x'
                UNION ALL
                SELECT 'unique index ' || i.relname FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
                WHERE x.indrelid = \(oid) AND x.indisunique
                  AND (x.indexprs IS NOT NULL OR x.indpred IS NOT NULL OR ARRAY(
                        SELECT a.attname FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = x.indrelid AND a.attnum = ANY(x.indkey) ORDER BY a.attname)
                      OPERATOR(pg_catalog.<>) ARRAY(SELECT k FROM pg_catalog.unnest(CAST(\(bindArray: key) AS pg_catalog.name[])) k ORDER BY k))
                UNION ALL
                SELECT 'row-level security' FROM pg_catalog.pg_class r
                WHERE r.oid = \(oid) AND pg_catalog.row_security_active(r.oid)
            ) w ORDER BY w.what
            """).rows.map { try $0.string("what") }
    }
}

extension ParentHooks {
    /// INSERT or UPDATE rules on the table: PostgreSQL then refuses ON CONFLICT, and a
    /// `RETURNING` inside a WITH, so its new rows go in by a plain INSERT.
    static func hasRules(_ table: Table, on session: Session) throws -> Bool {
        try session.execute(
            """
            SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_rewrite r
                WHERE r.ev_class = CAST(\(bind: String(table.oid)) AS pg_catalog.oid)
                  AND r.rulename <> '_RETURN' AND r.ev_type IN ('2', '3')) AS ruled
            """).rows[0].bool("ruled")
    }
}

