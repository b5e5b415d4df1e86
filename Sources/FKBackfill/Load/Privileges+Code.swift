import PostgresClient

/// What the rows a load writes make PostgreSQL run with the role's privileges: the
/// sequences a DEFAULT takes values from (`nextval` needs USAGE or UPDATE on the
/// sequence) and the functions a DEFAULT or CHECK calls (EXECUTE). Missing ones would
/// fail the load at its first write; found before, they are GRANT lines like the rest.
extension Privileges {
    /// GRANT statements for the sequences and functions that inserting into `table` with
    /// `given` columns set (the others left to their DEFAULTs) would use without the
    /// privilege. Identity columns need none: PostgreSQL does not check their sequence.
    static func missingCodeGrants(_ table: Table, given: [String], on session: Session) throws -> [String] {
        let defaulted = table.columns.filter { !given.contains($0.name) && $0.identity == nil && $0.defaultExpression != nil }.map(\.name)
        let rows = try session.execute(
            """
            WITH defaults AS (
                SELECT ad.oid FROM pg_catalog.pg_attrdef ad JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
                WHERE ad.adrelid = CAST(\(bind: String(table.oid)) AS pg_catalog.oid)
                  AND a.attname = ANY(CAST(\(bindArray: defaulted) AS pg_catalog.name[]))
            ), checks AS (
                SELECT c.oid FROM pg_catalog.pg_constraint c
                WHERE c.conrelid = CAST(\(bind: String(table.oid)) AS pg_catalog.oid) AND c.contype = 'c'
            ), used AS (
                SELECT d.refclassid, d.refobjid FROM pg_catalog.pg_depend d
                WHERE (d.classid = CAST('pg_catalog.pg_attrdef' AS pg_catalog.regclass) AND d.objid IN (SELECT oid FROM defaults))
                   OR (d.classid = CAST('pg_catalog.pg_constraint' AS pg_catalog.regclass) AND d.objid IN (SELECT oid FROM checks))
            )
            SELECT DISTINCT 'SEQUENCE' AS kind, CAST(CAST(s.oid AS pg_catalog.regclass) AS pg_catalog.text) AS name, CURRENT_USER AS role
            FROM used u JOIN pg_catalog.pg_class s ON s.oid = u.refobjid
            WHERE u.refclassid = CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
              -- CASE: the privilege function errors on anything but a sequence, whatever the order of the tests.
              AND CASE WHEN s.relkind = 'S' THEN NOT pg_catalog.has_sequence_privilege(s.oid, 'USAGE')
                       AND NOT pg_catalog.has_sequence_privilege(s.oid, 'UPDATE') ELSE false END
            UNION
            SELECT DISTINCT 'FUNCTION', CAST(CAST(p.oid AS pg_catalog.regprocedure) AS pg_catalog.text), CURRENT_USER
            FROM used u JOIN pg_catalog.pg_proc p ON p.oid = u.refobjid
            WHERE u.refclassid = CAST('pg_catalog.pg_proc' AS pg_catalog.regclass)
              AND NOT pg_catalog.has_function_privilege(p.oid, 'EXECUTE')
            ORDER BY 1, 2
            """).rows
        return try rows.map { row in
            // Safe as raw text: regclass and regprocedure output, quoted and qualified by the
            // server under the pinned path; the kind is one of this query's two constants.
            let what = try row.string("kind") == "SEQUENCE" ? "USAGE ON SEQUENCE" : "EXECUTE ON FUNCTION"
            return ("GRANT \(unsafeRaw: what) \(unsafeRaw: try row.string("name")) TO \(ident: try row.string("role"));" as SQL).description
        }
    }
}
