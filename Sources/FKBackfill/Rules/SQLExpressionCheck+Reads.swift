import PostgresClient

extension SQLExpressionCheck {
    /// Compiles an expression `problem` accepted into the temporary view again, over the
    /// input's columns as NULLs of their types; the caller rolls it back.
    static func compileAgain(_ expression: String, columns: [Column], on session: Session) throws {
        let shape = columns.isEmpty ? ["NULL AS _fkb_none"] : columns.map { column -> SQL in
            "CAST(NULL AS \(column.sqlType)) AS \(ident: column.name)"
        }
        // Safe as raw text: the rules file's expression, which `problem` compiled and
        // accepted; compiled again here, not run.
        try session.execute(
            "CREATE TEMP VIEW \(view) AS SELECT (\(unsafeRaw: expression)) AS value FROM (SELECT \(shape.joined(separator: ", "))) AS s GROUP BY ()")
    }

    /// The type of `expression`'s value, as the load's temporary table of derived values
    /// will hold it (`format_type`): compiled into a temporary view, rolled back.
    static func valueType(of expression: String, columns: [Column], on session: Session) throws -> String? {
        try session.rolledBack {
            try compileAgain(expression, columns: columns, on: session)
            return try session.execute(
                "SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) AS type FROM pg_catalog.pg_attribute a "
                    + "WHERE a.attrelid OPERATOR(pg_catalog.=) CAST(\(bind: view.description) AS pg_catalog.regclass) AND a.attnum OPERATOR(pg_catalog.=) 1"
            ).rows.first?["type"]
        }
    }

    /// Whether a `sql:` expression reads nothing but the rows it aggregates, with
    /// PostgreSQL's own code: no table or view, no function, operator or type of the
    /// user's (what such code reads the catalog cannot say), no sequence function. Such a
    /// rule gives the same value whether the fact rows are stored yet or not, which the
    /// facts-first order needs (`LoadRun.readsTheOtherSide`). Compiled as `problem` does,
    /// into a temporary view that is rolled back; nothing is evaluated.
    static func readsOnlyItsRows(_ expression: String, columns: [Column], on session: Session) throws -> Bool {
        try session.rolledBack {
            try compileAgain(expression, columns: columns, on: session)
            return try session.execute(
                """
                WITH tree AS (
                    SELECT r.ev_class, CAST(r.ev_action AS pg_catalog.text) AS t FROM pg_catalog.pg_rewrite r
                    WHERE r.ev_class OPERATOR(pg_catalog.=) CAST(\(bind: view.description) AS pg_catalog.regclass) AND r.rulename = '_RETURN'
                ), ids AS (
                    SELECT tree.ev_class, m.v[1] AS kind, CAST(m.v[2] AS pg_catalog.oid) AS id FROM tree CROSS JOIN LATERAL pg_catalog.regexp_matches(
                        tree.t, ':(funcid|aggfnoid|winfnoid|opfuncid|opno|relid|consttype|resulttype|vartype) ([0-9]+)', 'g') AS m(v)
                )
                SELECT NOT EXISTS (
                    -- The view's own relation stands in its rule's range table (PostgreSQL 15).
                    SELECT 1 FROM ids WHERE (ids.kind = 'relid' AND ids.id OPERATOR(pg_catalog.<>) ids.ev_class)
                                         OR (ids.kind <> 'relid' AND ids.id OPERATOR(pg_catalog.>=) CAST(16384 AS pg_catalog.oid))
                ) AND NOT EXISTS (
                    SELECT 1 FROM ids JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) ids.id
                    WHERE ids.kind IN ('funcid', 'opfuncid') AND p.proname IN ('nextval', 'currval', 'lastval', 'setval')
                ) AS only
                """).rows.first?.bool("only") ?? false
        }
    }
}
