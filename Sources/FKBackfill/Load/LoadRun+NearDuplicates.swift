import PostgresClient

/// New keys that look like another key: the same once surrounding white space and
/// zero-width characters are dropped, NFKC-normalized and lower-cased (`ABC ` next to
/// `ABC`, `Café` in NFD next to NFC, `ＡBC` next to `ABC`). Almost always a typo.
/// `near_duplicates: warn` (the default) lists them in the report and loads them;
/// `reject` sets their rows aside. Single-column text keys only, in a UTF-8 database.
extension LoadRun {
    /// `reject`: before keys are looked up, the staged rows of each FK whose new key looks
    /// like another are set aside (and listed).
    func rejectNearDuplicates() throws {
        guard plan.nearDuplicates == .reject, try unicodeDatabase() else { return }
        for fk in plan.stagedKeys where fk.columns.count == 1 {
            guard let parent = catalog.table(fk.referencedTable), isText(parent, fk.referencedColumns[0]) else { continue }
            let column: SQL = "s.\(ident: fk.columns[0])"
            var source: SQL = "SELECT DISTINCT \(column) AS k1 FROM \(LoadStatements.stage) s WHERE s._fkb_reject IS NULL AND \(column) IS NOT NULL "
                + "AND NOT \(sql.isBlank(column)) AND \(KeyPredicates.missing(try readable(fk), child: [column]))"
            if let routed = plan.routeCondition(of: fk) { source += " AND \(routed)" }
            let found = try look(source, parent: parent, column: fk.referencedColumns[0])
            guard !found.isEmpty else { continue }
            nearDuplicates += found
            try updateStage(sql.reject(
                where: "CAST(\(column) AS text) = ANY (CAST(\(bindArray: found.map(\.key)) AS text[]))",
                reason: "key (\(fk.columns[0])) looks like another key of \(parent.name.display) (near_duplicates: reject)"))
        }
    }

    /// `warn`: once keys are found, the new keys of each parent that look like another.
    func warnNearDuplicates() throws {
        guard plan.nearDuplicates == .warn, try unicodeDatabase() else { return }
        for parent in plan.parents where parent.keyColumns.count == 1 && parentStates[parent.index].available && parent.backfills {
            guard parentStates[parent.index].hasMissingKeys, isText(parent.table, parent.keyColumns[0]) else { continue }
            nearDuplicates += try look(
                "SELECT k.k1 FROM \(LoadStatements.keys(parent.index)) k WHERE NOT k.present", parent: parent.table, column: parent.keyColumns[0])
        }
    }

    /// Keys of `source` (`k1`) that look like an existing key of `parent.column` or like
    /// another key of `source`, each with the one it looks like (existing ones first).
    /// The new keys take the parent column's collation where it has its own: a referencing
    /// column of another one ("en-x-icu" keys of a "C" key) has none in common with it,
    /// and PostgreSQL cannot compare the two (hostile review 22, SQLSTATE 42P22).
    func look(_ source: SQL, parent: Table, column: String) throws -> [LoadReport.NearDuplicate] {
        let key = parent.column(column)?.collated("x.k1") ?? "x.k1"
        let rows = try session.execute(
            """
            WITH n AS MATERIALIZED (SELECT CAST(\(key) AS text) AS k, \(KeyPredicates.looseKey(key)) AS nk FROM (\(source)) x),
            o AS (SELECT CAST(p.\(ident: column) AS text) AS k, \(KeyPredicates.looseKey("p.\(ident: column)")) AS nk, true AS existing
                  FROM \(try readable(parent.name, oid: parent.oid, columns: [column]).sql) p
                  UNION ALL SELECT n.k, n.nk, false FROM n)
            SELECT n.k AS key, (array_agg(o.k ORDER BY o.existing DESC, o.k))[1] AS looks_like, bool_or(o.existing) AS existing
            FROM n JOIN o ON o.nk = n.nk AND o.k <> n.k GROUP BY n.k ORDER BY n.k
            """).rows
        return try rows.map {
            LoadReport.NearDuplicate(table: parent.name, key: try $0.string("key"), looksLike: try $0.string("looks_like"), existing: $0.bool("existing"))
        }
    }

    func isText(_ table: Table, _ column: String) -> Bool {
        guard let type = table.columns.first(where: { $0.name == column })?.type else { return false }
        return type == "text" || type.hasPrefix("character")
    }

    /// `normalize` needs a UTF-8 server encoding.
    func unicodeDatabase() throws -> Bool {
        if !plan.unicode {
            let note = "near-duplicate keys were not looked for: they need Unicode normalization, and the database is not UTF-8"
            if !report.notes.contains(note) { report.notes.append(note) }
        }
        return plan.unicode
    }
}
