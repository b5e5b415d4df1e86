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

    /// Built-ins that run SQL text or whole tables of their own (`query_to_xml('…')`,
    /// `ts_stat('…')`): whatever they run is not in the expression to check.
    static let runsSQL: Set<String> = [
        "query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema", "table_to_xml", "table_to_xmlschema",
        "table_to_xml_and_xmlschema", "cursor_to_xml", "cursor_to_xmlschema", "schema_to_xml", "schema_to_xmlschema",
        "schema_to_xml_and_xmlschema", "database_to_xml", "database_to_xmlschema", "database_to_xml_and_xmlschema",
        "ts_stat", "ts_rewrite",
    ]

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

    static let input: SQL = "pg_temp.fkb_rule_input"

    /// The input columns `expression` names, from the dependencies PostgreSQL records for
    /// a view, one per column its tree references: the expression is compiled over a
    /// temporary table of the input's shape, and both are rolled back at once. Only
    /// after `problem` found nothing wrong with the expression.
    static func columnsRead(by expression: String, columns: [Column], on session: Session) throws -> [String] {
        guard !columns.isEmpty else { return [] }
        let shape = columns.map { column -> SQL in "\(ident: column.name) \(column.sqlType)" }
        return try session.rolledBack {
            try session.execute("CREATE TEMP TABLE \(input) (\(shape.joined(separator: ", ")))")
            // Safe as raw text: the same expression `problem` compiled and accepted; it is
            // compiled again here, over a table instead of a subquery, and not run.
            try session.execute("CREATE TEMP VIEW \(view) AS SELECT (\(unsafeRaw: expression)) AS value FROM \(input) AS s GROUP BY ()")
            return try session.execute(
                """
                SELECT DISTINCT a.attname FROM pg_catalog.pg_depend d
                JOIN pg_catalog.pg_rewrite r ON d.classid = CAST('pg_catalog.pg_rewrite' AS pg_catalog.regclass) AND d.objid = r.oid
                JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                WHERE r.ev_class = CAST(\(bind: view.description) AS pg_catalog.regclass)
                  AND d.refobjid = CAST(\(bind: input.description) AS pg_catalog.regclass) AND d.refobjsubid > 0
                """).rows.map { try $0.string("attname") }
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
        if try shape.string("srf") == "true" {
            return ("sql: the expression returns a set of rows; it must give one value per new row",
                    "aggregate the rows, e.g. string_agg(…) or min(…)")
        }
        if ["c", "p"].contains(try shape.string("typtype")) {
            return ("sql: the expression gives a \(try shape.string("type")), not one scalar value", nil)
        }
        let functions = try session.execute(
            """
            WITH tree AS (
                SELECT CAST(r.ev_action AS text) AS t FROM pg_rewrite r
                WHERE r.ev_class = CAST(\(bind: view.description) AS regclass) AND r.rulename = '_RETURN'
            ), ids AS (
                SELECT m[1] AS kind, CAST(m[2] AS oid) AS id
                FROM tree CROSS JOIN LATERAL regexp_matches(tree.t, ':(funcid|aggfnoid|winfnoid|opfuncid|opno) ([0-9]+)', 'g') AS m
            ), types AS (
                SELECT DISTINCT CAST(m[1] AS oid) AS id
                FROM tree CROSS JOIN LATERAL regexp_matches(tree.t, ':(?:resulttype|consttype|vartype) ([0-9]+)', 'g') AS m
            ), domains AS (
                SELECT t.oid FROM types JOIN pg_type t ON t.oid = types.id WHERE t.typtype = 'd'
            ), called AS (
                SELECT i.id FROM ids i WHERE i.kind <> 'opno'
                UNION SELECT CAST(o.oprcode AS oid) FROM ids i JOIN pg_operator o ON o.oid = i.id WHERE i.kind = 'opno'
                UNION SELECT CAST(f.fn AS oid) FROM ids i JOIN pg_aggregate a ON a.aggfnoid = i.id
                    CROSS JOIN LATERAL (VALUES (a.aggtransfn), (a.aggfinalfn), (a.aggcombinefn), (a.aggserialfn), (a.aggdeserialfn),
                                               (a.aggmtransfn), (a.aggminvtransfn), (a.aggmfinalfn)) AS f(fn)
                    WHERE i.kind IN ('aggfnoid', 'winfnoid')
                -- A domain's CHECKs and default run when a value is cast to it.
                UNION SELECT d.refobjid FROM pg_depend d
                    WHERE d.refclassid = CAST('pg_proc' AS regclass) AND (
                        (d.classid = CAST('pg_type' AS regclass) AND d.objid IN (SELECT oid FROM domains))
                        OR (d.classid = CAST('pg_constraint' AS regclass)
                            AND d.objid IN (SELECT c.oid FROM pg_constraint c WHERE c.contypid IN (SELECT oid FROM domains))))
            )
            SELECT DISTINCT \(functionFacts)
            FROM called c JOIN pg_proc p ON p.oid = c.id JOIN pg_namespace n ON n.oid = p.pronamespace
            ORDER BY n.nspname, p.proname
            """).rows
        // Views and foreign tables run code of their own that the tree does not show.
        let relations = try session.execute(
            """
            SELECT string_agg(DISTINCT CAST(CAST(c.oid AS regclass) AS text), ', ') AS names
            FROM pg_rewrite r CROSS JOIN LATERAL regexp_matches(CAST(r.ev_action AS text), ':relid ([0-9]+)', 'g') AS m
            JOIN pg_class c ON c.oid = CAST(m[1] AS oid)
            WHERE r.ev_class = CAST(\(bind: view.description) AS regclass) AND r.rulename = '_RETURN'
              AND c.relkind IN ('v', 'm', 'f') AND c.oid <> r.ev_class
            """).rows.first?["names"]
        return try judge(functions: functions, relations: relations)
    }

    /// What `judge` reads of each function `p` in schema `n`.
    static let functionFacts: SQL = """
        n.nspname, p.proname, p.provolatile, p.prosecdef, p.oid < 16384 AS builtin,
               pg_catalog.pg_get_userbyid(p.proowner) AS owner,
               p.proowner = (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER)
                   OR (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid = p.proowner) AS trusted_owner,
               (SELECT pg_catalog.string_agg(r.rolname, ', ' ORDER BY r.rolname) FROM pg_catalog.pg_roles r
                WHERE NOT r.rolsuper AND r.oid <> p.proowner AND r.oid <> n.nspowner AND r.rolname <> CURRENT_USER
                  AND pg_catalog.has_schema_privilege(r.oid, n.oid, 'CREATE')) AS creators
        """

    /// The verdict on the functions an expression calls (rows of `functionFacts`) and the
    /// views or foreign tables it reads (`relations`, their names), or nil when it is safe.
    static func judge(functions: [Row], relations: String?) throws -> (message: String, hint: String?)? {
        // Code another role controls never runs inside a load: a function that is not
        // built in must belong to the loading role or a superuser, sit in a schema where
        // nobody else may create (a lookalike could be put beside it), and not run as
        // its owner (SECURITY DEFINER).
        for row in functions where !row.bool("builtin") {
            let name = "\(quoteIdentifier(try row.string("nspname"), style: .whenNeeded)).\(quoteIdentifier(try row.string("proname"), style: .whenNeeded))"
            if !row.bool("trusted_owner") {
                return ("sql: the expression calls \(name), owned by \(try row.string("owner")), who is neither the loading role nor a superuser: "
                            + "the load would run code another role controls",
                        "have a superuser or the loading role own the function, or derive the value without it")
            }
            if row.bool("prosecdef") {
                return ("sql: the expression calls \(name), a SECURITY DEFINER function (it runs as \(try row.string("owner")))",
                        "use a function that runs as its caller")
            }
            if let creators = row["creators"] {
                return ("sql: the expression calls \(name) in schema \(try row.string("nspname")), where \(creators) may create objects "
                            + "(one could put a function or operator there that the load would run)",
                        "REVOKE CREATE ON SCHEMA \(quoteIdentifier(try row.string("nspname"), style: .whenNeeded)) from them, or move the function")
            }
        }
        let refused = try functions.filter { row in
            let builtin = try row.string("nspname") == "pg_catalog"
            if try builtin && runsSQL.contains(try row.string("proname")) { return true }
            return try row.string("provolatile") == "v" && !(builtin && allowedVolatile.contains(try row.string("proname")))
        }.map { "\(quoteIdentifier(try $0.string("nspname"), style: .whenNeeded)).\(quoteIdentifier(try $0.string("proname"), style: .whenNeeded))" }
        if let relations {
            return ("sql: the expression reads \(relations), a view or foreign table whose own code is not checked",
                    "read the tables behind it instead")
        }
        guard !refused.isEmpty else { return nil }
        return ("sql: the expression calls \(refused.joined(separator: ", ")), which "
                    + (refused.count == 1 ? "is" : "are") + " VOLATILE or runs SQL of its own: it could change something outside the load",
                "a derivation may call only functions that change nothing (IMMUTABLE or STABLE, and none that runs SQL text), and of the volatile ones "
                    + allowedVolatile.sorted().joined(separator: ", "))
    }
}
