import PostgresClient

/// A target that references itself and has BEFORE INSERT triggers, validated read-only.
///
/// With such triggers the batches check none of the target's unique keys (a trigger may
/// change the row first: `StreamedStatements.checkedUniqueKeys`), so the keys the input
/// gives had no texts to follow across batches and the validation was refused (exit 3) —
/// a tree of categories with an `updated_at` trigger could not be validated on a replica.
/// The load finds a self-referenced key present when a staged row carries it, and
/// PostgreSQL stores what the triggers leave: where no trigger can change a column of
/// the FK or of the key it references, nor skip a row, those are the keys the input
/// gives. The triggers are read from their source, not run (`ParentColumnFacts`): a
/// PL/pgSQL body's `NEW.column :=` assignments (a whole-row assignment counts as every
/// column), `RETURN NULL`, the built-in tsvector triggers' column; any other trigger
/// language, or a rule DO INSTEAD, leaves the refusal as it was.
extension Validator {
    /// One tally per self-referencing FK's referenced key that only follows the keys the
    /// input gives (`UniqueTally.tracksOnly`: its repeats are no finding, the triggers may
    /// change the rows that clash); none where the triggers may change those keys. Only
    /// without `--max-rejects` and `--replace-by`, whose batches would set rows aside or
    /// delete by those keys as the staged path, which leaves them to the trial, does not.
    func selfKeyTrackers(
        _ checked: [ForeignKey], _ sql: StreamedStatements, _ constraints: TargetConstraints, _ options: ValidateOptions
    ) throws -> [UniqueTally] {
        let target = sql.plan.target
        guard !constraints.beforeInsertTriggers.isEmpty, options.maxRejects == 0, sql.plan.replaceBy.isEmpty else { return [] }
        let selfForeignKeys = checked.filter { $0.referencedTable == target.name && !sql.plan.rejectsMissing($0) }
        guard !selfForeignKeys.isEmpty, try allTriggersReadable(target) else { return [] }
        let facts = try ParentColumnFacts.read([target], on: session)
        guard (facts.rowDroppers[target.name] ?? []).isEmpty else { return [] }
        let assigned = Set((facts.triggerFilled[target.name] ?? [:]).keys)
        let given = Set(sql.columns.map(\.name))
        var trackers: [UniqueTally] = []
        for fk in selfForeignKeys where assigned.isDisjoint(with: fk.columns + fk.referencedColumns) {
            guard let key = constraints.uniqueKeys.first(where: {
                !$0.partialOrExpression && $0.defaultOperatorClasses && $0.deterministic
                    && $0.columns.count == fk.referencedColumns.count && Set($0.columns) == Set(fk.referencedColumns)
            }), key.columns.allSatisfy(given.contains), !trackers.contains(where: { $0.key.name == key.name }) else { continue }
            let byText = key.columns.allSatisfy { name in sql.columns.first { $0.name == name }.map { Self.oneText($0.type) } ?? false }
            guard byText else { continue }
            var tally = UniqueTally(key: key, byText: true)
            tally.tracksOnly = true
            trackers.append(tally)
        }
        return trackers
    }

    /// Whether every enabled row-level BEFORE INSERT trigger of `table` (and of its
    /// partitions) is one `ParentColumnFacts` reads: PL/pgSQL, or a built-in tsvector one.
    func allTriggersReadable(_ table: Table) throws -> Bool {
        let oid: SQL = "CAST(\(bind: String(table.oid)) AS pg_catalog.oid)"
        let row = try session.execute(
            """
            SELECT pg_catalog.count(*) AS n FROM pg_catalog.pg_trigger g
            JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) g.tgfoid
            JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) p.prolang
            WHERE (g.tgrelid OPERATOR(pg_catalog.=) \(oid)
                   OR g.tgrelid OPERATOR(pg_catalog.=) ANY(ARRAY(SELECT pt.relid FROM pg_catalog.pg_partition_tree(\(oid)) pt)))
              AND NOT g.tgisinternal AND g.tgenabled OPERATOR(pg_catalog.=) ANY(ARRAY['O', 'A']::pg_catalog."char"[])
              AND (CAST(g.tgtype AS pg_catalog.int4) OPERATOR(pg_catalog.&) 7) OPERATOR(pg_catalog.=) 7
              AND l.lanname OPERATOR(pg_catalog.<>) 'plpgsql'
              AND NOT (p.proname OPERATOR(pg_catalog.=) ANY(ARRAY['tsvector_update_trigger', 'tsvector_update_trigger_column']::pg_catalog.name[])
                       AND p.pronamespace OPERATOR(pg_catalog.=) CAST('pg_catalog' AS pg_catalog.regnamespace))
            """).rows.first
        return (row?.int("n") ?? 1) == 0
    }
}
