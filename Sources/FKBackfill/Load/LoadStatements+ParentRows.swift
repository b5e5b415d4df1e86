import PostgresClient

/// A parent's new rows, in three statements so that the one that fires the user's code
/// has nothing of the tool's in it to hijack:
/// 1. `createNewRows` (pinned path) computes every value into `fkb_new_N`;
/// 2. `insertNewRows` runs under the user's own `search_path` (their triggers, rules and
///    defaults see what they see in psql) and holds nothing but names: an INSERT from
///    that table, `RETURNING` the keys as stored into `fkb_ins_N`;
/// 3. `insertedRows` (pinned again) counts and samples what was stored, and
///    `changedKeys` finds keys asked for that were not stored as asked.
extension LoadStatements {
    static func newRows(_ index: Int) -> SQL { "pg_temp.fkb_new_\(int: index)" }
    static func insertedRows(_ index: Int) -> SQL { "pg_temp.fkb_ins_\(int: index)" }

    /// The new rows' values, each under its column's name, in key order. A bare NULL is
    /// typed as its column (a CTAS would make it text); everything else keeps the type
    /// it has, so the INSERT's assignment casts are the ones a direct INSERT … SELECT makes.
    func createNewRows(_ parent: ParentPlan) -> SQL {
        let values = zip(parent.insertedColumns, insertedValues(parent)).map { column, value -> SQL in
            let typed: SQL = value.description == "NULL" ? "CAST(NULL AS \(column.column.pinnedType))" : value
            return "\(typed) AS \(ident: column.column.name)"
        }
        return "CREATE TEMP TABLE \(Self.newRows(parent.index)) ON COMMIT DROP AS SELECT \(values.joined(separator: ", ")) "
            + "FROM \(Self.values(parent.index)) v WHERE v._fkb_missing"
    }

    /// The rows of `fkb_new_N` into the parent in key order (so concurrent loads lock in
    /// the same order), skipping keys a concurrent load inserted first; the keys as
    /// stored go to `fkb_ins_N`.
    /// `arbiter`: the key's columns, or the constraint the FKs reference where a
    /// deferrable unique index on those columns makes PostgreSQL refuse them (`ParentArbiter`).
    func insertNewRows(_ parent: ParentPlan, arbiter: ParentArbiter = .columns) -> SQL {
        let conflict: SQL = if case .constraint(let name) = arbiter { "ON CONSTRAINT \(ident: name)" } else { "(\(idents: parent.keyColumns))" }
        return "WITH i AS (\(plainInsert(parent))"
            + " ON CONFLICT \(conflict) DO NOTHING RETURNING \(idents: parent.keyColumns)) "
            + "INSERT INTO \(Self.insertedRows(parent.index)) SELECT \(KeyPredicates.columns("i", parent.keyColumns).joined(separator: ", ")) FROM i"
    }

    /// The table `insertNewRows` fills: the parent's key columns, their own types.
    func createInsertedRows(_ parent: ParentPlan) -> SQL {
        "CREATE TEMP TABLE \(Self.insertedRows(parent.index)) ON COMMIT DROP AS SELECT "
            + KeyPredicates.columns("p", parent.keyColumns).joined(separator: ", ")
            + " FROM ONLY \(parent.table.name) p WITH NO DATA"
    }

    /// `n`, the rows really inserted, and `sample`, up to `samples` of their keys (a JSON
    /// array of arrays of text): the report names what this run wrote, not what it meant to.
    func insertedRowsReport(_ parent: ParentPlan, samples: Int) -> SQL {
        let keys = KeyPredicates.columns("i", parent.keyColumns)
        let text = keys.map { "CAST(\($0) AS pg_catalog.text)" as SQL }.joined(separator: ", ")
        let rows = Self.insertedRows(parent.index)
        return "SELECT (SELECT pg_catalog.count(*) FROM \(rows)) AS n, CAST((SELECT pg_catalog.jsonb_agg(s.k ORDER BY s.o) FROM "
            + "(SELECT pg_catalog.jsonb_build_array(\(text)) AS k, pg_catalog.row_number() OVER (ORDER BY \(keys.joined(separator: ", "))) AS o "
            + "FROM \(rows) i ORDER BY o LIMIT \(bind: samples)) s) AS pg_catalog.text) AS sample"
    }

    /// Keys asked for that the parent does not hold as asked once the insert ran: a
    /// trigger rewrote or dropped them, a rule did something else, or no partition took
    /// them. Up to `samples`, as text. (A key a concurrent load inserted first is held.)
    func changedKeys(_ parent: ParentPlan, samples: Int) -> SQL {
        let keys = KeyPredicates.columns("n", parent.keyColumns)
        let text = keys.map { "CAST(\($0) AS pg_catalog.text)" as SQL }.joined(separator: " || ', ' || ")
        return "SELECT pg_catalog.count(*) AS n, CAST((pg_catalog.array_agg(\(text) ORDER BY \(keys.joined(separator: ", "))))[1:\(bind: samples)] "
            + "AS pg_catalog.text) AS sample FROM \(Self.newRows(parent.index)) n WHERE NOT EXISTS (SELECT 1 FROM \(KeyPredicates.rows(of: parent.table)) p "
            + "WHERE \(parentKeyMatch(parent, table: "p", keys: "n", columns: parent.keyColumns)))"
    }

    /// `insertNewRows` for a parent with INSERT or UPDATE rules, where PostgreSQL refuses
    /// ON CONFLICT and a `RETURNING` in a WITH: a plain INSERT of `fkb_new_N` (keys the
    /// parent lacked when they were found; a concurrent load inserting the same key then
    /// fails on the unique key instead of skipping it). No condition on the parent
    /// itself: a DO ALSO rule re-runs the statement's condition after the insert, and
    /// would see none of the rows. Only names: it runs under the user's path.
    func insertNewRowsUnderRules(_ parent: ParentPlan) -> SQL {
        plainInsert(parent)
    }

    /// `INSERT INTO parent (…) SELECT n.… FROM fkb_new_N n ORDER BY <key>`: the part both
    /// forms share, names only.
    private func plainInsert(_ parent: ParentPlan) -> SQL {
        let columns = parent.insertedColumns.map(\.column.name)
        let keys = KeyPredicates.columns("n", parent.keyColumns).joined(separator: ", ")
        return "INSERT INTO \(parent.table.name.sql) (\(idents: columns))"
            + (parent.keyIsIdentity ? " OVERRIDING SYSTEM VALUE" : "")
            + " SELECT \(KeyPredicates.columns("n", columns).joined(separator: ", ")) FROM \(Self.newRows(parent.index)) n ORDER BY \(keys)"
    }

    /// After `insertNewRowsUnderRules`: the new keys the parent now holds, as the rows
    /// this run inserted (nothing can be read back through a rule).
    func insertedUnderRules(_ parent: ParentPlan) -> SQL {
        "INSERT INTO \(Self.insertedRows(parent.index)) SELECT \(KeyPredicates.columns("n", parent.keyColumns).joined(separator: ", ")) "
            + "FROM \(Self.newRows(parent.index)) n WHERE EXISTS (SELECT 1 FROM \(KeyPredicates.rows(of: parent.table)) p "
            + "WHERE \(parentKeyMatch(parent, table: "p", keys: "n", columns: parent.keyColumns)))"
    }
}
