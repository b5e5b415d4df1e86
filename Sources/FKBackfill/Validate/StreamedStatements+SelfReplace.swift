import PostgresClient

/// `--replace-by` on a target that references itself, read-only: which target rows the
/// load's DELETE removes, and what the target's FKs to itself make of it, read once the
/// last batch has given every replace-by value (Validator+StreamedSelfReplace.swift).
/// Nothing is deleted: the rows are found as PostgreSQL's RI triggers would find them.
extension StreamedStatements {
    /// `WITH RECURSIVE fkb_held AS (…), fkb_replaced AS (…), fkb_gone AS (…) `: the
    /// replace-by values of the whole input (`heldValues`); the target rows they match
    /// (the target and its children: the DELETE is not ONLY); and those with the rows an
    /// FK of `ownForeignKeys` with ON DELETE CASCADE removes along, as far as they reach.
    /// Each row by table and ctid, with the key columns the FKs reference: a level of the
    /// cascade is one join of the rows found on the referencing columns (the RI trigger's
    /// DELETE reads them as `KeyPredicates.rows(of:)` does, and only those rows are
    /// referenced). UNION, not UNION ALL: a cycle of rows ends. Every later read of these
    /// joins them by table and ctid, hashed: an EXISTS per key over them was quadratic
    /// (50,000 keys over 100,000 rows replaced: a minute).
    /// `keys`: more columns of those rows to keep (an FK of another table references them).
    func goneRows(held: [[String?]], keys extra: [String] = []) -> SQL {
        let target = plan.target
        var keys: [String] = []
        for name in ownForeignKeys.flatMap(\.referencedColumns) + extra where !keys.contains(name) { keys.append(name) }
        let pick = { (alias: SQL) -> SQL in
            (["\(alias).tableoid", "\(alias).ctid"] + keys.map { "\(alias).\(ident: $0)" as SQL }).joined(separator: ", ")
        }
        let replaced: SQL = "SELECT \(pick("t")) FROM \(target.name.sql) t WHERE EXISTS (SELECT 1 FROM fkb_held r WHERE \(load.replaceMatch("t", "r")))"
        var gone: SQL = "SELECT * FROM fkb_replaced"
        let cascading = ownForeignKeys.filter { $0.onDelete == .cascade }
        if !cascading.isEmpty {
            let referencing = cascading.map { "(\(references($0)))" as SQL }.joined(separator: " OR ")
            gone += " UNION SELECT \(pick("r")) FROM fkb_gone g JOIN \(KeyPredicates.rows(of: target)) r ON (\(referencing))\(referenced("g"))"
        }
        return "WITH RECURSIVE fkb_held AS MATERIALIZED \(heldValues(held)), fkb_replaced AS MATERIALIZED (\(replaced)), fkb_gone AS (\(gone)) "
    }

    /// ` AND` row `alias` of `fkb_gone` is a row the target's FKs reference: one of its
    /// own, not an inheritance child's (ONLY, as the RI check reads); any partition's.
    func referenced(_ alias: SQL) -> SQL {
        plan.target.kind == .partitioned ? "" : " AND \(alias).tableoid OPERATOR(pg_catalog.=) CAST(\(bind: String(plan.target.oid)) AS pg_catalog.oid)"
    }

    /// Row `r` references row `g` (of `fkb_gone`) by `fk`: its key, compared with the FK's
    /// own operators (a key with a NULL column references nothing).
    func references(_ fk: ForeignKey) -> SQL {
        KeyPredicates.match(fk, parent: KeyPredicates.columns("g", fk.referencedColumns), child: KeyPredicates.columns("r", fk.columns))
    }

    /// Row `row` is the row `gone` of `fkb_replaced` or `fkb_gone`.
    static func sameRow(_ row: SQL, _ gone: SQL) -> SQL {
        "\(row).tableoid OPERATOR(pg_catalog.=) \(gone).tableoid AND \(row).ctid OPERATOR(pg_catalog.=) \(gone).ctid"
    }

    /// Per FK of `ownForeignKeys`, the rows the DELETE keeps that reference a row it
    /// removes: `n0…` how many, `k0…` up to `samples` of the keys they reference, as text
    /// (`(1)`, `(a, 2)`), in order.
    func keptReferencing(held: [[String?]], samples: Int) -> SQL {
        let counts = ownForeignKeys.enumerated().map { index, fk -> SQL in
            let key: SQL = "'(' OPERATOR(pg_catalog.||) pg_catalog.concat_ws(', ', "
                + fk.referencedColumns.map { "CAST(g.\(ident: $0) AS pg_catalog.text)" as SQL }.joined(separator: ", ") + ") OPERATOR(pg_catalog.||) ')'"
            return "(SELECT pg_catalog.count(*) AS \(ident: "n\(index)"), coalesce((pg_catalog.array_agg(DISTINCT \(key) ORDER BY \(key)))[1:\(bind: samples)], '{}') "
                + "AS \(ident: "k\(index)") FROM fkb_gone g JOIN \(KeyPredicates.rows(of: plan.target)) r ON \(references(fk))\(referenced("g")) "
                + "LEFT JOIN fkb_gone x ON \(Self.sameRow("r", "x")) WHERE x.ctid IS NULL) AS \(ident: "f\(index)")"
        }
        return "\(goneRows(held: held))SELECT * FROM \(counts.joined(separator: " CROSS JOIN "))"
    }

    /// Of `keys` (an FK of the target to itself, the input's text, each a key a target row
    /// holds that the input does not give), by index: `missing`, those no row the DELETE's
    /// values leave holds — the load, which reads the table before the DELETE, apart from
    /// the rows those values match (`LoadStatements.createKeys`), adds their placeholders —
    /// and `cascaded`, those it finds there that only rows ON DELETE CASCADE then removes hold.
    func storedKeysGone(_ fk: ForeignKey, keys: [[String?]], held: [[String?]]) -> SQL {
        let bound = boundKeys(fk, keys, first: 0)
        let typed = zip(bound.typed, fk.columns).map { "\($0) AS \(ident: $1)" as SQL }
        let match = KeyPredicates.match(fk, parent: KeyPredicates.columns("p", fk.referencedColumns), child: KeyPredicates.columns("w", fk.columns))
        let holders = "SELECT w.i, coalesce(pg_catalog.bool_or(p.ctid IS NOT NULL AND d.ctid IS NULL), false) AS present, "
            + "coalesce(pg_catalog.bool_or(p.ctid IS NOT NULL AND g.ctid IS NULL), false) AS stays "
            + "FROM (SELECT \(typed.joined(separator: ", ")), u.i FROM \(bound.rows)) w "
            + "LEFT JOIN \(KeyPredicates.rows(of: plan.target)) p ON \(match) LEFT JOIN fkb_replaced d ON \(Self.sameRow("p", "d")) "
            + "LEFT JOIN fkb_gone g ON \(Self.sameRow("p", "g")) GROUP BY w.i" as SQL
        return "\(goneRows(held: held))SELECT coalesce(pg_catalog.array_agg(k.i ORDER BY k.i) FILTER (WHERE NOT k.present), '{}') AS missing, "
            + "coalesce(pg_catalog.array_agg(k.i ORDER BY k.i) FILTER (WHERE k.present AND NOT k.stays), '{}') AS cascaded FROM (\(holders)) k"
    }

    /// `keys` (each the texts of `fk.columns`' values) as rows `u(k<first>…, i)` of bound
    /// arrays, `i` a key's index, and each value cast to its column's staging type.
    func boundKeys(_ fk: ForeignKey, _ keys: [[String?]], first: Int) -> (rows: SQL, names: [SQL], typed: [SQL]) {
        let names = fk.columns.indices.map { "k\(int: $0 + first)" as SQL }
        let arrays = fk.columns.indices.map { index -> SQL in
            "pg_catalog.unnest(CAST(\(bindArray: keys.map { $0[index] }) AS pg_catalog.text[]))"
        } + ["pg_catalog.unnest(CAST(\(bindArray: keys.indices.map(String.init)) AS pg_catalog.int8[]))"]
        let typed = zip(fk.columns, names).map { column, name -> SQL in
            let type = columns.first { $0.name == column }.map(TextStaging.stagingType) ?? "pg_catalog.text"
            return "CAST(u.\(name) AS \(type))"
        }
        return ("ROWS FROM (\(arrays.joined(separator: ", "))) AS u(\(names.joined(separator: ", ")), i)", names, typed)
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
