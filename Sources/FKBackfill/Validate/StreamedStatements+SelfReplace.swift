import PostgresClient

/// `--replace-by` on a target that references itself, read-only: which target rows the
/// load's DELETE removes, and what the target's FKs to itself make of it, read once the
/// last batch has given every replace-by value (Validator+StreamedSelfReplace.swift).
/// Nothing is deleted: the rows are found as PostgreSQL's RI triggers would find them.
extension StreamedStatements {
    /// `WITH RECURSIVE fkb_held AS (…), fkb_gone(o, c) AS (…) `: the replace-by values of
    /// the whole input (`heldValues`), and the target rows the DELETE removes, by table
    /// and ctid: those the values match (the target and its children: the DELETE is not
    /// ONLY), then those an FK of `ownForeignKeys` with ON DELETE CASCADE removes along,
    /// row by row as far as they reach (the RI trigger's DELETE reads the referencing rows
    /// as `KeyPredicates.rows(of:)` does, and only those rows are referenced). UNION, not
    /// UNION ALL: a cycle of rows ends.
    func goneRows(held: [[String?]]) -> SQL {
        let target = plan.target
        var gone: SQL = "SELECT t.tableoid, t.ctid FROM \(target.name.sql) t WHERE EXISTS (SELECT 1 FROM fkb_held r WHERE \(load.replaceMatch("t", "r")))"
        let cascading = ownForeignKeys.filter { $0.onDelete == .cascade }
        if !cascading.isEmpty {
            let referencing = cascading.map { "(\(references($0)))" as SQL }.joined(separator: " OR ")
            gone += " UNION SELECT r.tableoid, r.ctid FROM fkb_gone g JOIN \(KeyPredicates.rows(of: target)) p ON \(Self.sameRow("p", "g")) "
                + "JOIN \(KeyPredicates.rows(of: target)) r ON \(referencing)"
        }
        return "WITH RECURSIVE fkb_held AS MATERIALIZED \(heldValues(held)), fkb_gone AS (\(gone)) "
    }

    /// Row `r` references row `p` by `fk`: its key, compared with the FK's own operators
    /// (a key with a NULL column references nothing).
    func references(_ fk: ForeignKey) -> SQL {
        KeyPredicates.match(fk, parent: KeyPredicates.columns("p", fk.referencedColumns), child: KeyPredicates.columns("r", fk.columns))
    }

    /// Row `row` is the row of `fkb_gone` `gone`.
    static func sameRow(_ row: SQL, _ gone: SQL) -> SQL {
        "\(row).tableoid OPERATOR(pg_catalog.=) \(gone).tableoid AND \(row).ctid OPERATOR(pg_catalog.=) \(gone).ctid"
    }

    /// Per FK of `ownForeignKeys`, the rows the DELETE keeps that reference a row it
    /// removes: `n0…` how many, `k0…` up to `samples` of the keys they reference, as text
    /// (`(1)`, `(a, 2)`), in order.
    func keptReferencing(held: [[String?]], samples: Int) -> SQL {
        let target = KeyPredicates.rows(of: plan.target)
        let counts = ownForeignKeys.enumerated().map { index, fk -> SQL in
            let key: SQL = "'(' OPERATOR(pg_catalog.||) pg_catalog.concat_ws(', ', "
                + fk.referencedColumns.map { "CAST(p.\(ident: $0) AS pg_catalog.text)" as SQL }.joined(separator: ", ") + ") OPERATOR(pg_catalog.||) ')'"
            return "(SELECT pg_catalog.count(*) AS \(ident: "n\(index)"), coalesce((pg_catalog.array_agg(DISTINCT \(key) ORDER BY \(key)))[1:\(bind: samples)], '{}') AS \(ident: "k\(index)") "
                + "FROM fkb_gone g JOIN \(target) p ON \(Self.sameRow("p", "g")) JOIN \(target) r ON \(references(fk)) "
                + "WHERE NOT EXISTS (SELECT 1 FROM fkb_gone x WHERE \(Self.sameRow("r", "x")))) AS \(ident: "f\(index)")"
        }
        return "\(goneRows(held: held))SELECT * FROM \(counts.joined(separator: " CROSS JOIN "))"
    }

    /// Of `keys` (an FK of the target to itself, the input's text, each a key a target row
    /// holds that the input does not give), by index: `missing`, those no row the DELETE's
    /// values leave holds — the load, which reads the table before the DELETE, apart from
    /// the rows those values match (`LoadStatements.createKeys`), adds their placeholders —
    /// and `cascaded`, those it finds there that only rows ON DELETE CASCADE then removes hold.
    func storedKeysGone(_ fk: ForeignKey, keys: [[String?]], held: [[String?]]) -> SQL {
        let names = fk.columns.indices.map { "k\(int: $0)" as SQL }
        let arrays = fk.columns.indices.map { index -> SQL in
            "pg_catalog.unnest(CAST(\(bindArray: keys.map { $0[index] }) AS pg_catalog.text[]))"
        } + ["pg_catalog.unnest(CAST(\(bindArray: keys.indices.map(String.init)) AS pg_catalog.int8[]))"]
        let typed = zip(fk.columns, names).map { column, name -> SQL in
            let type = columns.first { $0.name == column }.map(TextStaging.stagingType) ?? "pg_catalog.text"
            return "CAST(u.\(name) AS \(type)) AS \(ident: column)"
        }
        let match = KeyPredicates.match(fk, parent: KeyPredicates.columns("p", fk.referencedColumns), child: KeyPredicates.columns("w", fk.columns))
        let holds = { (kept: SQL) -> SQL in "EXISTS (SELECT 1 FROM \(KeyPredicates.rows(of: plan.target)) p WHERE \(match) AND \(kept))" }
        let notReplaced = holds("NOT EXISTS (SELECT 1 FROM fkb_held r WHERE \(load.replaceMatch("p", "r")))")
        let notGone = holds("NOT EXISTS (SELECT 1 FROM fkb_gone g WHERE \(Self.sameRow("p", "g")))")
        return "\(goneRows(held: held))SELECT coalesce(pg_catalog.array_agg(w.i ORDER BY w.i) FILTER (WHERE NOT \(notReplaced)), '{}') AS missing, "
            + "coalesce(pg_catalog.array_agg(w.i ORDER BY w.i) FILTER (WHERE \(notReplaced) AND NOT \(notGone)), '{}') AS cascaded "
            + "FROM (SELECT \(typed.joined(separator: ", ")), u.i FROM ROWS FROM (\(arrays.joined(separator: ", "))) AS u(\(names.joined(separator: ", ")), i)) w"
    }

    /// The columns `fk`'s ON DELETE SET NULL or SET DEFAULT sets: its own list
    /// (PostgreSQL 15's `SET NULL (col)`), else every column of the key.
    func setColumns(_ fk: ForeignKey) -> SQL {
        "SELECT a.attname AS name FROM pg_catalog.pg_constraint c CROSS JOIN LATERAL pg_catalog.unnest(CASE WHEN "
            + "pg_catalog.cardinality(c.confdelsetcols) OPERATOR(pg_catalog.>) 0 THEN c.confdelsetcols ELSE c.conkey END) AS k(n) "
            + "JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.conrelid AND a.attnum OPERATOR(pg_catalog.=) k.n "
            + "WHERE c.contype OPERATOR(pg_catalog.=) 'f' AND c.conrelid OPERATOR(pg_catalog.=) CAST(\(bind: String(plan.target.oid)) AS pg_catalog.oid) "
            + "AND c.conname OPERATOR(pg_catalog.=) CAST(\(bind: fk.name) AS pg_catalog.name) ORDER BY a.attnum"
    }

    /// The target's user triggers on UPDATE (an ON DELETE SET NULL or SET DEFAULT updates
    /// the rows it keeps), and its partitions' or children's.
    func updateTriggers() -> SQL {
        let oid: SQL = "CAST(\(bind: String(plan.target.oid)) AS pg_catalog.oid)"
        return "WITH RECURSIVE tree(relid) AS (SELECT \(oid) UNION SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree t "
            + "ON i.inhparent OPERATOR(pg_catalog.=) t.relid) SELECT t.tgname AS name FROM pg_catalog.pg_trigger t "
            + "WHERE t.tgrelid IN (SELECT relid FROM tree) AND NOT t.tgisinternal AND t.tgenabled OPERATOR(pg_catalog.<>) 'D' "
            + "AND (t.tgtype OPERATOR(pg_catalog.&) CAST(16 AS pg_catalog.int2)) OPERATOR(pg_catalog.<>) CAST(0 AS pg_catalog.int2) ORDER BY 1"
    }
}
