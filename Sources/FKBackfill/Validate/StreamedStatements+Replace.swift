import PostgresClient

/// `--replace-by` on a CSV streamed read-only. The load deletes every target row whose
/// replace-by values an input row has, then inserts (`LoadStatements.deleteReplaced`), so
/// a row whose key only such a target row holds does not clash (`LoadRun.clash`). A batch
/// does not hold the whole input: each returns its distinct replace-by values, and per
/// unique key the rows whose key a target row holds that none of the batch's own rows
/// replaces, with that target row's replace-by values — none, when every batch has the
/// month being reloaded. After the last batch one statement resolves those against every
/// batch's values, and counts the rows the load would delete.
extension StreamedStatements {
    /// The batch's distinct `--replace-by` values, one text array per column (`rb_k0…`),
    /// NULL included: NULL replaces NULL.
    /// `rows`: the batch, or with `--max-rejects` the rows not set aside (`SetAside.kept`):
    /// the load deletes for the rows it keeps.
    func replaceValues(from rows: SQL = Self.batch) -> SQL {
        let names = plan.replaceBy.indices.map { "v\(int: $0)" as SQL }
        let columns = plan.replaceBy.map { "b.\(ident: $0)" as SQL }
        var arrays = names.enumerated().map { index, name -> SQL in
            "coalesce(pg_catalog.array_agg(CAST(d.\(name) AS pg_catalog.text)), '{}') AS \(ident: "rb_k\(index)")"
        }
        // Whether each value reads back as written (`rb_x0…`): the client holds their text.
        arrays += zip(plan.replaceBy, names).enumerated().map { index, pair -> SQL in
            "coalesce(pg_catalog.bool_and(\(readsBack("d.\(pair.1)", pair.0))), true) AS \(ident: "rb_x\(index)")"
        }
        return "SELECT \(arrays.joined(separator: ", ")) FROM (SELECT DISTINCT \(columns.joined(separator: ", ")) FROM \(rows) b) "
            + "AS d(\(names.joined(separator: ", ")))"
    }

    /// `value` (of replace-by column `name`) equals, by the column's own equality, its text
    /// read back as the stage's type: not so for a float under `extra_float_digits = 0`,
    /// a timestamptz whose zone abbreviation DateStyle SQL prints and reads otherwise.
    func readsBack(_ value: SQL, _ name: String) -> SQL {
        (plan.replaceEquality[name] ?? .builtinEquality).notDistinct("CAST(CAST(\(value) AS pg_catalog.text) AS \(replaceType(name)))", value)
    }

    /// Per unique key (as `clash` checks it), the batch's rows whose key a target row
    /// holds that no row of the batch replaces: `name_l` their lines, `name_r0…` that
    /// target row's `--replace-by` values as text.
    func clashCandidates(_ key: TargetConstraints.UniqueKey, as name: String, replacedBy rows: SQL = Self.batch) -> SQL {
        let values = plan.replaceBy.enumerated().map { index, column -> SQL in
            "coalesce(pg_catalog.array_agg(CAST(t.\(ident: column) AS pg_catalog.text) ORDER BY b.\(line)), '{}') AS \(ident: "\(name)_r\(index)")"
        }
        let exact = plan.replaceBy.map { readsBack("t.\(ident: $0)", $0) }.joined(separator: " AND ")
        // The row's key as text (`name_k`): every row of a key that clashes clashes, and is
        // no repeat of it (the load sets clashes aside first).
        let keyText: SQL = "pg_catalog.concat_ws(E'\\x01', " + key.columns.map { "CAST(b.\(ident: $0) AS pg_catalog.text)" as SQL }.joined(separator: ", ") + ")"
        // The rows `rows` holds (with --max-rejects, those not set aside: a row set aside
        // does not clash), under their columns' collations.
        return "SELECT coalesce(pg_catalog.array_agg(b.\(line) ORDER BY b.\(line)), '{}') AS \(ident: "\(name)_l"), "
            + "\(values.joined(separator: ", ")), coalesce(pg_catalog.bool_and(\(exact)), true) AS \(ident: "\(name)_x"), "
            + "coalesce(pg_catalog.array_agg(\(keyText) ORDER BY b.\(line)), '{}') AS \(ident: "\(name)_k"), "
            + "coalesce(pg_catalog.array_agg(CAST(t.tableoid AS pg_catalog.text) OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) "
            + "CAST(t.ctid AS pg_catalog.text) ORDER BY b.\(line)), '{}') AS \(ident: "\(name)_t") "
            + "FROM \(collated(rows)) b JOIN \(KeyPredicates.rows(of: plan.target)) t ON "
            + "\(key.match(stored: "t", incoming: "b"))\(kept(rows)) WHERE \(key.complete("b"))"
    }

    /// The replace-by values of the whole input (`held`, as text, per column), typed as
    /// the stage types them, as the relation `h`.
    func heldValues(_ held: [[String?]]) -> SQL {
        let names = plan.replaceBy.indices.map { "v\(int: $0)" as SQL }
        let arrays = plan.replaceBy.indices.map { index -> SQL in
            "pg_catalog.unnest(CAST(\(bindArray: held.map { $0[index] }) AS pg_catalog.text[]))"
        }
        let typed = zip(plan.replaceBy, names).map { column, name -> SQL in
            "\(replaceValue("u.\(name)", column)) AS \(ident: column)"
        }
        return "(SELECT \(typed.joined(separator: ", ")) FROM ROWS FROM (\(arrays.joined(separator: ", "))) AS u(\(names.joined(separator: ", "))))"
    }

    /// After the last batch: the target rows the load would delete (`deleted`), and of
    /// `candidates` (a unique key's index `i`, a line `l`, a target row's replace-by
    /// values) the rows that clash after all, `i` and `l` as arrays: those whose target
    /// row no value of `held` replaces. With `afterCascade` and an FK of the target to itself
    /// with ON DELETE CASCADE (`ownForeignKeys`): those whose target row the DELETE leaves,
    /// cascade included (`goneRows`).
    func resolveReplaced(held: [[String?]], candidates: [(key: Int, line: Int, values: [String?], row: String)], afterCascade: Bool = false) -> SQL {
        let cascade = afterCascade && ownForeignKeys.contains { $0.onDelete == .cascade }
        let names = plan.replaceBy.indices.map { "v\(int: $0)" as SQL }
        let arrays = ["pg_catalog.unnest(CAST(\(bindArray: candidates.map { String($0.key) }) AS pg_catalog.int4[]))",
                      "pg_catalog.unnest(CAST(\(bindArray: candidates.map { String($0.line) }) AS pg_catalog.int8[]))"]
            + plan.replaceBy.indices.map { index -> SQL in
                "pg_catalog.unnest(CAST(\(bindArray: candidates.map { $0.values[index] }) AS pg_catalog.text[]))"
            } + ["pg_catalog.unnest(CAST(\(bindArray: candidates.map(\.row)) AS pg_catalog.text[]))"]
        let typed = zip(plan.replaceBy, names).map { column, name -> SQL in
            "\(replaceValue("u.\(name)", column)) AS \(ident: column)"
        }
        let found: SQL = "(SELECT u.i, u.l, \(typed.joined(separator: ", ")), u.t FROM ROWS FROM (\(arrays.joined(separator: ", "))) "
            + "AS u(i, l, \(names.joined(separator: ", ")), t))"
        let kept: SQL = cascade
            ? "SELECT t.i, t.l FROM fkb_found t WHERE NOT EXISTS (SELECT 1 FROM fkb_gone g WHERE g.tableoid OPERATOR(pg_catalog.=) "
                + "CAST(pg_catalog.split_part(t.t, ':', 1) AS pg_catalog.oid) AND g.ctid OPERATOR(pg_catalog.=) CAST(pg_catalog.split_part(t.t, ':', 2) AS pg_catalog.tid))"
            : "SELECT t.i, t.l FROM fkb_found t WHERE NOT EXISTS (SELECT 1 FROM fkb_held r WHERE \(load.replaceMatch("t", "r")))"
        let with: SQL = cascade ? "\(goneRows(held: held)), " : "WITH fkb_held AS MATERIALIZED \(heldValues(held)), "
        // The load deletes from the target and its inheritance children (DELETE, not ONLY).
        return "\(with)fkb_found AS MATERIALIZED \(found), fkb_kept AS MATERIALIZED (\(kept)) "
            + "SELECT (SELECT pg_catalog.count(*) FROM \(plan.target.name.sql) t WHERE EXISTS (SELECT 1 FROM fkb_held r "
            + "WHERE \(load.replaceMatch("t", "r")))) AS deleted, "
            + "coalesce((SELECT pg_catalog.array_agg(k.i ORDER BY k.i, k.l) FROM fkb_kept k), '{}') AS i, "
            + "coalesce((SELECT pg_catalog.array_agg(k.l ORDER BY k.i, k.l) FROM fkb_kept k), '{}') AS l"
    }

    /// A replace-by column's text read back as the stage's type, under the column's own
    /// collation (a case-insensitive one compares `JAN` and `jan` equal, as the load does).
    func replaceValue(_ text: SQL, _ name: String) -> SQL {
        let typed: SQL = "CAST(\(text) AS \(replaceType(name)))"
        guard let collation = columns.first(where: { $0.name == name })?.collation, collation.count == 2 else { return typed }
        return "\(typed) COLLATE \(ident: collation[0]).\(ident: collation[1])"
    }

    /// The type a replace-by column's text is read back as: the stage's.
    func replaceType(_ name: String) -> SQL {
        columns.first { $0.name == name }.map(TextStaging.stagingType) ?? "pg_catalog.text"
    }
}
