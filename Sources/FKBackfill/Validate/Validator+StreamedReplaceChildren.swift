import PostgresClient

/// `--replace-by` read-only: the FKs of other tables that reference the target, which the
/// load's DELETE fires. A row of such a table referencing a row the DELETE removes makes
/// PostgreSQL refuse the DELETE under NO ACTION (not deferred: checked at the end of the
/// DELETE, before the input's rows give the key again) and RESTRICT, and the load stops
/// ("--replace-by would delete rows of … that are still referenced"). The staged path tries
/// the DELETE; read-only finds those rows after the last batch, from the replace-by values
/// every batch gave (`ReplaceTally`) and the table, as the RI trigger reads them: `FROM
/// ONLY` the referencing table unless it is partitioned, with the FK's own operators, the
/// target's own rows only (an inheritance child's row is no referenced row). Not evaluated,
/// and named as before: deferred FKs (the input may give the keys again by the end of the
/// load), CASCADE, SET NULL and SET DEFAULT (what the change does to those rows, and to
/// theirs, is the referencing tables'), DELETE triggers and rules.
extension Validator {
    /// What `--replace-by`'s DELETE of `held`'s rows makes the referencing tables' FKs do:
    /// results for those that refuse it, and the FK names evaluated (nothing to name).
    func replaceChildEffects(_ sql: StreamedStatements, held: [[String?]], samples: Int) throws -> (results: [ValidationReport.ForeignKeyResult], evaluated: Set<String>) {
        let target = sql.plan.target
        guard !held.isEmpty, target.kind != .partitioned else { return ([], []) }
        let oid: SQL = "CAST(\(bind: String(target.oid)) AS pg_catalog.oid)"
        // What else the DELETE runs decides whether a referencing row is still there at the
        // end of it (hostile review 16): a DELETE trigger or rule (a soft delete keeps the
        // row), an ON DELETE CASCADE into any table (a row of the referencing table removed
        // along), the target's RI triggers disabled. Then nothing is evaluated, all named.
        let other = try session.execute(
            """
            SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t WHERE t.tgrelid OPERATOR(pg_catalog.=) \(oid)
                           AND ((NOT t.tgisinternal AND (CAST(t.tgtype AS pg_catalog.int4) OPERATOR(pg_catalog.&) 8) OPERATOR(pg_catalog.<>) 0)
                                OR (t.tgisinternal AND t.tgenabled OPERATOR(pg_catalog.=) 'D')))
                OR EXISTS (SELECT 1 FROM pg_catalog.pg_rewrite r WHERE r.ev_class OPERATOR(pg_catalog.=) \(oid) AND r.ev_type OPERATOR(pg_catalog.=) '4')
                OR EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.contype OPERATOR(pg_catalog.=) 'f'
                           AND c.confdeltype OPERATOR(pg_catalog.=) 'c'
                           AND (c.confrelid OPERATOR(pg_catalog.=) \(oid) OR c.conrelid IN (SELECT f.conrelid FROM pg_catalog.pg_constraint f
                                WHERE f.contype OPERATOR(pg_catalog.=) 'f' AND f.confrelid OPERATOR(pg_catalog.=) \(oid)))) AS other
            """).rows[0].bool("other")
        guard !other else { return ([], []) }
        // Tables a standby cannot read (unlogged, temporary) stay named.
        let children = try session.execute(
            """
            SELECT DISTINCT CAST(c.conrelid AS pg_catalog.int8) AS oid FROM pg_catalog.pg_constraint c
            JOIN pg_catalog.pg_class k ON k.oid OPERATOR(pg_catalog.=) c.conrelid
            WHERE c.contype OPERATOR(pg_catalog.=) 'f' AND c.confrelid OPERATOR(pg_catalog.=) \(oid)
              AND c.conrelid OPERATOR(pg_catalog.<>) c.confrelid AND c.conparentid OPERATOR(pg_catalog.=) 0
              AND k.relpersistence OPERATOR(pg_catalog.=) 'p'
            """).rows.compactMap { $0.int("oid").map(UInt32.init) }
        guard !children.isEmpty else { return ([], []) }
        let catalog = try CatalogReader.read(rootOIDs: children, on: session)
        var seen = Set<String>()
        let incoming = catalog.tables.values.flatMap { catalog.foreignKeys(of: $0.name) }
            .filter { $0.referencedTable == target.name && $0.table != target.name && !$0.declared && seen.insert("\($0.table.display).\($0.name)").inserted }
            .sorted { ($0.table.display, $0.name) < ($1.table.display, $1.name) }
        var results: [ValidationReport.ForeignKeyResult] = []
        var evaluated = Set<String>()
        let deferred = Set(sql.plan.deferredConstraints.map { "\($0.table.display).\($0.name)" })
        for fk in incoming where (fk.onDelete == .noAction && !fk.initiallyDeferred && !deferred.contains("\(fk.table.display).\(fk.name)"))
            || fk.onDelete == .restrict {
            // Rows row-level security hides from this role would be missed: left named.
            guard let child = catalog.table(fk.table), try rowSecurityActive([child]).isEmpty else { continue }
            var keyed = sql
            keyed.ownForeignKeys = []
            let key: SQL = "'(' OPERATOR(pg_catalog.||) pg_catalog.concat_ws(', ', "
                + fk.referencedColumns.map { "CAST(g.\(ident: $0) AS pg_catalog.text)" as SQL }.joined(separator: ", ") + ") OPERATOR(pg_catalog.||) ')'"
            let match = KeyPredicates.match(fk, parent: KeyPredicates.columns("g", fk.referencedColumns), child: KeyPredicates.columns("r", fk.columns))
            let query: SQL = keyed.goneRows(held: held, keys: fk.referencedColumns)
                + "SELECT pg_catalog.count(*) AS n, coalesce((pg_catalog.array_agg(DISTINCT \(key) ORDER BY \(key)))[1:\(bind: samples)], '{}') AS k "
                + "FROM fkb_gone g JOIN \(KeyPredicates.rows(of: child)) r ON \(match)\(keyed.referenced("g"))"
            let row = try session.execute(query).rows[0]
            evaluated.insert(Self.replaceRefuserLine(fk))
            let count = row.int("n") ?? 0
            guard count > 0 else { continue }
            let keys = row.array("k").compactMap { $0 }.joined(separator: ", ")
            results.append(.init(
                name: fk.name, table: fk.table, referencedTable: fk.referencedTable, declared: false, violatingRows: 0, missingKeys: 0,
                fixableKeys: 0, unfixableKeys: 0,
                reasons: ["--replace-by would delete rows of \(target.name.display) that are still referenced: \(count) \(count == 1 ? "row" : "rows") "
                    + "of \(fk.table.display) \(count == 1 ? "references" : "reference") them by \(fk.name) (ON DELETE \(fk.onDelete.rawValue); keys \(keys))"],
                samples: []))
        }
        return (results, evaluated)
    }

    /// How `replaceRefusers` names `fk` (its line's start): what the evaluated ones are
    /// left out of notExact by.
    static func replaceRefuserLine(_ fk: ForeignKey) -> String {
        "FK \(fk.name) of \(fk.table.display) references"
    }
}
