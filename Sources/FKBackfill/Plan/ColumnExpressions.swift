import PostgresClient

/// What the catalog says of a table's DEFAULTs and generation expressions, for the
/// statements that evaluate them outside the insert: the columns each reads and whether
/// it is safe to compute there. One query, shared by the NULL-DEFAULT check of load and
/// validate (`NullDefaults`), the standby's computed keys (Validator+StreamedComputedKeys)
/// and its generated columns of new parent rows (Validator+ParentNewRows).
enum ColumnExpressions {
    /// Built-in calls that move or draw anew each time: an expression calling one is not
    /// computed outside the insert (a sequence would advance, a value would differ).
    static let volatileCalls = ["nextval", "setval", "random", "gen_random_uuid", "clock_timestamp", "uuid_generate", "timeofday", "txid_current", "pg_sleep"]

    /// Per column of `table` with a DEFAULT or a generation expression: the columns of the
    /// table it reads, and whether it is safe to compute here (built-in code only, nothing
    /// VOLATILE, no sequence, no user type).
    static func facts(of table: Table, on session: Session) throws -> [String: (reads: Set<String>, safe: Bool)] {
        let rows = try session.execute(
            """
            SELECT a.attname,
                   pg_catalog.array_remove(ARRAY(
                       SELECT r.attname FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_attribute r
                         ON r.attrelid = d.refobjid AND r.attnum = d.refobjsubid
                       WHERE d.classid = CAST('pg_catalog.pg_attrdef' AS pg_catalog.regclass) AND d.objid = ad.oid
                         AND d.refclassid = CAST('pg_catalog.pg_class' AS pg_catalog.regclass) AND d.refobjid = ad.adrelid AND d.refobjsubid > 0
                   ), a.attname) AS reads,
                   NOT EXISTS (
                       SELECT 1 FROM pg_catalog.pg_depend d
                       LEFT JOIN pg_catalog.pg_class c ON d.refclassid = CAST('pg_catalog.pg_class' AS pg_catalog.regclass) AND c.oid = d.refobjid
                       LEFT JOIN pg_catalog.pg_proc p ON d.refclassid = CAST('pg_catalog.pg_proc' AS pg_catalog.regclass) AND p.oid = d.refobjid
                       WHERE d.classid = CAST('pg_catalog.pg_attrdef' AS pg_catalog.regclass) AND d.objid = ad.oid
                         AND (c.relkind = 'S' OR p.oid IS NOT NULL
                              OR d.refclassid NOT IN (CAST('pg_catalog.pg_class' AS pg_catalog.regclass), CAST('pg_catalog.pg_collation' AS pg_catalog.regclass)))
                   ) AND pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) !~ \(bind: "(" + volatileCalls.joined(separator: "|") + ")")
                   AS safe
            FROM pg_catalog.pg_attrdef ad JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
            WHERE ad.adrelid = CAST(\(bind: String(table.oid)) AS pg_catalog.oid) AND NOT a.attisdropped
            """).rows
        var facts: [String: (reads: Set<String>, safe: Bool)] = [:]
        for row in rows {
            facts[try row.string("attname")] = (Set(row.array("reads").compactMap { $0 }), row.bool("safe"))
        }
        return facts
    }
}
