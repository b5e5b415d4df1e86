import PostgresClient

/// Whether reading a view (or the user's query, compiled into a temporary view) runs the
/// user's own functions. PostgreSQL inlines a SQL function's body, and runs a PL/pgSQL
/// one's queries, with the names in them resolved under the search path of the statement
/// that reads the view; the checks in place are the tool's statements, under its pinned
/// path, so a body that reads an unqualified `codes` fails there ("relation codes does
/// not exist") or finds another object, where the load, which stages the input under the
/// user's path, works. Such an input is read once under the user's path instead
/// (`Validator.stagingNeeded`).
extension OpenedInput {
    /// The user's code the view `relation` (an expression of its oid) runs, through the
    /// views it reads too: a function outside `pg_catalog` and `information_schema`
    /// written in a language that runs queries (not C or internal), or an aggregate,
    /// without a `search_path` of its own (`SET search_path` in its definition); an
    /// operator outside `pg_catalog`; a domain (its CHECK); a cast the view depends on.
    static func callsUserCode(_ relation: SQL, on session: Session) throws -> Bool {
        let query: SQL = """
            WITH RECURSIVE views (oid) AS (
                SELECT \(relation)
                UNION
                SELECT d.refobjid FROM views v
                JOIN pg_catalog.pg_rewrite r ON r.ev_class OPERATOR(pg_catalog.=) v.oid
                JOIN pg_catalog.pg_depend d ON d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_rewrite' AS pg_catalog.regclass)
                    AND d.objid OPERATOR(pg_catalog.=) r.oid
                    AND d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.refobjid AND c.relkind OPERATOR(pg_catalog.=) 'v'
            )
            SELECT EXISTS (
                SELECT 1 FROM views v
                JOIN pg_catalog.pg_rewrite r ON r.ev_class OPERATOR(pg_catalog.=) v.oid
                JOIN pg_catalog.pg_depend d ON d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_rewrite' AS pg_catalog.regclass)
                    AND d.objid OPERATOR(pg_catalog.=) r.oid
                WHERE
                  -- A function of the user (an aggregate whatever its language: its state
                  -- function may be SQL), without a search_path of its own.
                  (d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_proc' AS pg_catalog.regclass) AND EXISTS (
                      SELECT 1 FROM pg_catalog.pg_proc p
                      JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
                      JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) p.prolang
                      WHERE p.oid OPERATOR(pg_catalog.=) d.refobjid
                        AND n.nspname OPERATOR(pg_catalog.<>) ALL (ARRAY['pg_catalog', 'information_schema'])
                        AND (p.prokind OPERATOR(pg_catalog.=) 'a' OR l.lanname OPERATOR(pg_catalog.<>) ALL (ARRAY['c', 'internal']))
                        AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(p.proconfig) AS s (setting)
                                        WHERE s.setting OPERATOR(pg_catalog.~~) 'search\\_path=%')))
                  -- An operator or a cast of the user (its function may be), a domain (its
                  -- CHECK may call functions of the user): review 13.
                  OR (d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_operator' AS pg_catalog.regclass) AND EXISTS (
                      SELECT 1 FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.oprnamespace
                      WHERE o.oid OPERATOR(pg_catalog.=) d.refobjid AND n.nspname OPERATOR(pg_catalog.<>) 'pg_catalog'))
                  OR (d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_type' AS pg_catalog.regclass) AND EXISTS (
                      SELECT 1 FROM pg_catalog.pg_type t WHERE t.oid OPERATOR(pg_catalog.=) d.refobjid AND t.typtype OPERATOR(pg_catalog.=) 'd'))
                  OR d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_cast' AS pg_catalog.regclass)
            ) AS calls
            """
        return try session.execute(query).rows.first?.bool("calls") ?? false
    }
}
