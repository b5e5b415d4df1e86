import PostgresClient

/// Columns whose DEFAULT (its own, its generation expression, or its domain's) runs
/// procedural code of the user's: a PL/pgSQL or SQL function, directly or behind an
/// operator. Such code may raise, or write to another table whose own checks refuse the
/// row (an FK of that table: PostgreSQL then refuses the fact insert), whatever the
/// column's NOT NULL. Only the insert can tell, so validate tries the insert (staged) or
/// names the columns in notExact (read-only); it said "would load" where the load failed
/// (hostile review 27). C and internal functions (an extension's `uuid_generate_v4()`)
/// convert or draw values and are not among them; a sequence is not code.
enum CodeDefaults {
    /// The names of `table`'s columns whose DEFAULT calls procedural code of the user's.
    static func columns(of table: Table, on session: Session) throws -> Set<String> {
        let rows = try session.execute(
            """
            WITH RECURSIVE \(ColumnExpressions.domainChain(of: table, withoutOwnDefault: true)),
            -- What each column's DEFAULT is recorded under: its own pg_attrdef row, else the
            -- nearest domain with a DEFAULT.
            defaults (attname, classid, objid) AS (
                SELECT a.attname, CAST('pg_catalog.pg_attrdef' AS pg_catalog.regclass), ad.oid
                FROM pg_catalog.pg_attrdef ad JOIN pg_catalog.pg_attribute a
                  ON a.attrelid OPERATOR(pg_catalog.=) ad.adrelid AND a.attnum OPERATOR(pg_catalog.=) ad.adnum
                WHERE ad.adrelid OPERATOR(pg_catalog.=) CAST(\(bind: String(table.oid)) AS pg_catalog.oid) AND NOT a.attisdropped
                UNION ALL
                SELECT d.attname, CAST('pg_catalog.pg_type' AS pg_catalog.regclass), d.domain FROM (
                    SELECT DISTINCT ON (c.attname) c.attname, c.domain FROM chain c WHERE c.bin IS NOT NULL ORDER BY c.attname, c.depth) d
            ),
            called (attname, proc) AS (
                SELECT f.attname, CASE WHEN d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_proc' AS pg_catalog.regclass)
                                       THEN d.refobjid ELSE CAST(o.oprcode AS pg_catalog.oid) END
                FROM defaults f JOIN pg_catalog.pg_depend d
                  ON d.classid OPERATOR(pg_catalog.=) f.classid AND d.objid OPERATOR(pg_catalog.=) f.objid
                LEFT JOIN pg_catalog.pg_operator o
                  ON d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_operator' AS pg_catalog.regclass) AND o.oid OPERATOR(pg_catalog.=) d.refobjid
                WHERE d.refclassid OPERATOR(pg_catalog.=) ANY (ARRAY[CAST('pg_catalog.pg_proc' AS pg_catalog.regclass),
                          CAST('pg_catalog.pg_operator' AS pg_catalog.regclass)])
            )
            SELECT DISTINCT c.attname FROM called c
            JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) c.proc
            JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) p.prolang
            WHERE l.lanname OPERATOR(pg_catalog.<>) ALL (ARRAY['internal', 'c'])
            """).rows
        return Set(try rows.map { try $0.string("attname") })
    }
}
