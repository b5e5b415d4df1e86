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
    /// VOLATILE by the catalog's word (`noVolatileCall`), no sequence, no user type).
    static func facts(of table: Table, on session: Session) throws -> [String: (reads: Set<String>, safe: Bool, userCode: Bool)] {
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
                         AND NOT \(isEnum("d"))
                   ) AND pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) !~ \(bind: "(" + volatileCalls.joined(separator: "|") + ")")
                   AND \(noVolatileCall("ad.adbin")) AS safe,
                   \(callsUserCode(classid: "pg_attrdef", object: "ad.oid")) AS user_code
            FROM pg_catalog.pg_attrdef ad JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
            WHERE ad.adrelid = CAST(\(bind: String(table.oid)) AS pg_catalog.oid) AND NOT a.attisdropped
            """).rows
        var facts: [String: (reads: Set<String>, safe: Bool, userCode: Bool)] = [:]
        for row in rows {
            facts[try row.string("attname")] = (Set(row.array("reads").compactMap { $0 }), row.bool("safe"), row.bool("user_code"))
        }
        return facts
    }

    /// Per column of `table` whose type is a domain with a DEFAULT (its own or one under
    /// it): whether that DEFAULT, the one a column of it takes, is safe to compute here by
    /// the rule `facts` applies to a column's. Its text alone cannot tell (hostile review 22:
    /// `"Evil".f$x()` and `OPERATOR(evil.+)` passed a look for `schema.f(`); the domain's
    /// dependencies can: PostgreSQL records one on every object its DEFAULT names that is
    /// not built in (a function, an operator, a type, a sequence). A domain over a domain
    /// is not computed: its DEFAULT is cast to the inner one, whose CHECK runs.
    /// `userCode`: it names a function, operator or type of the user's (or a domain under it).
    static func domainDefaultsSafe(of table: Table, on session: Session) throws -> [String: (safe: Bool, userCode: Bool)] {
        let rows = try session.execute(
            """
            WITH RECURSIVE \(domainChain(of: table))
            SELECT DISTINCT ON (c.attname) c.attname,
                   NOT EXISTS (
                       SELECT 1 FROM pg_catalog.pg_depend d
                       WHERE d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_type' AS pg_catalog.regclass) AND d.objid OPERATOR(pg_catalog.=) c.domain
                         AND d.refclassid OPERATOR(pg_catalog.<>) ALL (ARRAY[CAST('pg_catalog.pg_namespace' AS pg_catalog.regclass),
                                                                             CAST('pg_catalog.pg_collation' AS pg_catalog.regclass)])
                         AND NOT \(isEnum("d"))
                   ) AND \(noVolatileCall("c.bin"))
                   AND pg_catalog.pg_get_expr(c.bin, 0) OPERATOR(pg_catalog.!~) \(bind: "(" + volatileCalls.joined(separator: "|") + ")") AS safe,
                   \(callsUserCode(classid: "pg_type", object: "c.domain")) AS user_code
            FROM chain c WHERE c.bin IS NOT NULL ORDER BY c.attname, c.depth
            """).rows
        var safe: [String: (safe: Bool, userCode: Bool)] = [:]
        for row in rows { safe[try row.string("attname")] = (row.bool("safe"), row.bool("user_code")) }
        return safe
    }

    /// True when the catalog object `object` of catalog `classid` (a DEFAULT's `pg_attrdef`
    /// row, a domain) depends on a function, operator or type that is not built in.
    private static func callsUserCode(classid: StaticString, object: SQL) -> SQL {
        let catalog = SQL(unsafeRaw: "'pg_catalog.\(classid)'")  // Safe: one of this file's constants.
        return """
            EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid OPERATOR(pg_catalog.=) CAST(\(catalog) AS pg_catalog.regclass) AND d.objid OPERATOR(pg_catalog.=) \(object)
                      AND d.refclassid OPERATOR(pg_catalog.=) ANY (ARRAY[CAST('pg_catalog.pg_proc' AS pg_catalog.regclass),
                          CAST('pg_catalog.pg_operator' AS pg_catalog.regclass), CAST('pg_catalog.pg_type' AS pg_catalog.regclass)])
                      AND NOT \(isEnum("d")))
            """
    }

    /// True when the dependency `d` (a `pg_depend` row) is on an enum type: a DEFAULT
    /// `'pending'::user_status_enum` (OpenStreetMap's users.status, MusicBrainz's
    /// cover_art_presence) is a constant of that type, stored as one, and an enum's values
    /// are read by the built-in enum_in, so nothing of the user's runs to compute it. (The
    /// seventh sweep: the standby named such a column "left to a DEFAULT that calls the
    /// user's code" and did not compute it.) A domain, a composite or a range type may run
    /// a CHECK or the user's functions, and still counts.
    private static func isEnum(_ d: SQL) -> SQL {
        """
        (\(d).refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_type' AS pg_catalog.regclass)
         AND EXISTS (SELECT 1 FROM pg_catalog.pg_type t WHERE t.oid OPERATOR(pg_catalog.=) \(d).refobjid AND t.typtype OPERATOR(pg_catalog.=) 'e'))
        """
    }

    /// pg_catalog's functions that run SQL of their argument's or read a relation's rows
    /// (a view's, calling its functions), by name: `query_to_xml('SELECT purge(1)', …)`,
    /// `ts_stat('…')`, `table_to_xml('v', …)`. Whatever their volatility, they run the
    /// user's code as whoever calls them.
    static let rowReadingBuiltIns = "^((table|schema|database|query|cursor)_to_xml|ts_stat$|ts_rewrite$)"

    /// True when the stored expression tree `tree` (a `pg_node_tree`: an `adbin`, a
    /// `typdefaultbin`) calls no VOLATILE function, directly or behind an operator. The
    /// dependencies name no built-in (PostgreSQL records none on what initdb pinned), so a
    /// list of names missed `set_config('search_path', 'evil, pg_catalog', false)`: a
    /// DEFAULT a plain role gave its table that an audit or a read-only validate computed,
    /// repointing the tool's own session at the role's schema (hostile review 22). The tree's
    /// text names each call's function (`:funcid`, `:opfuncid`) and operator (`:opno`); a
    /// constant's value is printed as bytes there, so no text of the user's can pose as one.
    /// pg_catalog's `table_to_xml`, `schema_to_xml` and `database_to_xml` families count as
    /// VOLATILE too: STABLE themselves, they read relations' rows, so a view's functions run
    /// as whoever computes the DEFAULT (hostile review 23: `DEFAULT schema_to_xml('app', …)`
    /// made the superuser running an audit run a plain role's `ALTER ROLE … SUPERUSER`).
    static func noVolatileCall(_ tree: SQL) -> SQL {
        """
        NOT EXISTS (
            SELECT 1 FROM pg_catalog.regexp_matches(CAST(\(tree) AS pg_catalog.text), ':(funcid|opfuncid|opno) ([0-9]+)', 'g') m
            JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) CASE WHEN m[1] OPERATOR(pg_catalog.=) 'opno'
                THEN (SELECT CAST(o.oprcode AS pg_catalog.oid) FROM pg_catalog.pg_operator o WHERE o.oid OPERATOR(pg_catalog.=) CAST(m[2] AS pg_catalog.oid))
                ELSE CAST(m[2] AS pg_catalog.oid) END
            WHERE p.provolatile OPERATOR(pg_catalog.=) 'v'
               OR (p.pronamespace OPERATOR(pg_catalog.=) CAST('pg_catalog' AS pg_catalog.regnamespace)
                   AND p.proname OPERATOR(pg_catalog.~) \(bind: rowReadingBuiltIns)))
        """
    }
}

extension ColumnExpressions {
    /// `chain AS (…)`: per column of `table` whose type is a domain, that domain and every
    /// domain under it (`domain`, its `base`, its DEFAULT's `bin`, its `depth` from the
    /// column's own), for a `WITH RECURSIVE`. `withoutOwnDefault` leaves out the columns
    /// with a DEFAULT of their own (which wins over any domain's).
    static func domainChain(of table: Table, withoutOwnDefault: Bool = false) -> SQL {
        let ownDefault: SQL = withoutOwnDefault ? " AND NOT a.atthasdef" : ""
        return """
            chain AS (
                SELECT a.attname, t.oid AS domain, t.typbasetype AS base, t.typdefaultbin AS bin, 1 AS depth
                FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid
                WHERE a.attrelid OPERATOR(pg_catalog.=) CAST(\(bind: String(table.oid)) AS pg_catalog.oid)
                  AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped AND t.typtype OPERATOR(pg_catalog.=) 'd'\(ownDefault)
                UNION ALL
                SELECT c.attname, b.oid, b.typbasetype, b.typdefaultbin, c.depth OPERATOR(pg_catalog.+) 1
                FROM chain c JOIN pg_catalog.pg_type b ON b.oid OPERATOR(pg_catalog.=) c.base AND b.typtype OPERATOR(pg_catalog.=) 'd'
            )
            """
    }
}
