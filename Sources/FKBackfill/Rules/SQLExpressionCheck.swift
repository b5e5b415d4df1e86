import PostgresClient

/// Checks a rules file's `sql:` expression on the server before anything is written.
///
/// A keyword list cannot tell harmless text from a harmful call (`set_config(…)`,
/// `pg_read_file(…)`, a user function that writes), so the server decides: the expression
/// is compiled once against the input's columns, as a temporary view that is rolled back
/// at once, and the functions it calls are read from the view's stored query tree. Every
/// VOLATILE function is refused except a few value generators. The stored tree is read
/// rather than `pg_depend`, because PostgreSQL records no dependency on its built-in
/// (pinned) functions, and `pg_read_file` is one of those.
enum SQLExpressionCheck {
    /// VOLATILE functions an expression may call: they make values, they change nothing
    /// a load could not undo by rolling back (a sequence number is used up, as any INSERT
    /// would use it).
    static let allowedVolatile: Set<String> = ["nextval", "gen_random_uuid", "random", "clock_timestamp"]

    static let view: SQL = "pg_temp.fkb_rule_check"

    /// A problem with `expression` as a column's derivation, or nil when it is one scalar
    /// value that calls nothing volatile. `columns` are the input's, with their types.
    static func problem(in expression: String, columns: [Column], on session: Session) throws -> (message: String, hint: String?)? {
        let shape = columns.isEmpty ? ["NULL AS _fkb_none"] : columns.map { column -> SQL in
            "CAST(NULL AS \(column.sqlType)) AS \(ident: column.name)"
        }
        do {
            return try session.rolledBack { () throws -> (message: String, hint: String?)? in
                // Safe as raw text: the rules file's own expression, only compiled here (a
                // view is created and rolled back; nothing is evaluated), then refused
                // below unless it calls nothing that changes anything.
                try session.execute(
                    "CREATE TEMP VIEW \(view) AS SELECT (\(unsafeRaw: expression)) AS value FROM (SELECT \(shape.joined(separator: ", "))) AS s GROUP BY ()")
                return try inspect(on: session)
            }
        } catch let error as PostgresError where error.kind == .server {
            var hint = error.hint.map { $0.replacingOccurrences(of: "\"s.", with: "\"") }
            if error.sqlState == SQLState.undefinedFunction {
                hint = "fkbackfill runs with search_path = pg_catalog, pg_temp: write your own functions with their schema, "
                    + "e.g. myschema.my_function(…)" + (hint.map { "; \($0)" } ?? "")
            }
            return ("sql: \(error.message.replacingOccurrences(of: "\"s.", with: "\""))", hint)
        }
    }

    /// Reads the compiled view: its value's type, and every function its tree calls.
    static func inspect(on session: Session) throws -> (message: String, hint: String?)? {
        let shape = try session.execute(
            """
            SELECT t.typtype, format_type(a.atttypid, a.atttypmod) AS type,
                   substring(CAST(r.ev_action AS text) FROM ':hasTargetSRFs (true|false)') AS srf
            FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
            JOIN pg_rewrite r ON r.ev_class = a.attrelid AND r.rulename = '_RETURN'
            WHERE a.attrelid = CAST(\(bind: view.description) AS regclass) AND a.attnum = 1
            """).rows[0]
        if shape.string("srf") == "true" {
            return ("sql: the expression returns a set of rows; it must give one value per new row",
                    "aggregate the rows, e.g. string_agg(…) or min(…)")
        }
        if ["c", "p"].contains(shape.string("typtype")) {
            return ("sql: the expression gives a \(shape.string("type")), not one scalar value", nil)
        }
        let functions = try session.execute(
            """
            WITH tree AS (
                SELECT CAST(r.ev_action AS text) AS t FROM pg_rewrite r
                WHERE r.ev_class = CAST(\(bind: view.description) AS regclass) AND r.rulename = '_RETURN'
            ), ids AS (
                SELECT m[1] AS kind, CAST(m[2] AS oid) AS id
                FROM tree CROSS JOIN LATERAL regexp_matches(tree.t, ':(funcid|aggfnoid|winfnoid|opfuncid|opno) ([0-9]+)', 'g') AS m
            ), called AS (
                SELECT i.id FROM ids i WHERE i.kind <> 'opno'
                UNION SELECT CAST(o.oprcode AS oid) FROM ids i JOIN pg_operator o ON o.oid = i.id WHERE i.kind = 'opno'
                UNION SELECT CAST(a.aggtransfn AS oid) FROM ids i JOIN pg_aggregate a ON a.aggfnoid = i.id WHERE i.kind = 'aggfnoid'
                UNION SELECT CAST(a.aggfinalfn AS oid) FROM ids i JOIN pg_aggregate a ON a.aggfnoid = i.id WHERE i.kind = 'aggfnoid'
            )
            SELECT DISTINCT n.nspname, p.proname, p.provolatile
            FROM called c JOIN pg_proc p ON p.oid = c.id JOIN pg_namespace n ON n.oid = p.pronamespace
            ORDER BY n.nspname, p.proname
            """).rows
        let refused = functions.filter { row in
            row.string("provolatile") == "v"
                && !(row.string("nspname") == "pg_catalog" && allowedVolatile.contains(row.string("proname")))
        }.map { "\(quoteIdentifier($0.string("nspname"), style: .whenNeeded)).\(quoteIdentifier($0.string("proname"), style: .whenNeeded))" }
        guard !refused.isEmpty else { return nil }
        return ("sql: the expression calls \(refused.joined(separator: ", ")), which "
                    + (refused.count == 1 ? "is" : "are") + " VOLATILE: it could change something outside the load",
                "a derivation may call only functions that change nothing (IMMUTABLE or STABLE), and of the volatile ones "
                    + allowedVolatile.sorted().joined(separator: ", "))
    }
}
