import PostgresClient

/// Reads operators by OID with their schemas and declared input types, so that every
/// comparison the tool writes can cast its operands as `ri_triggers.c` does (see
/// `SQLOperator`). The readers of FKs, unique keys and declared relations collect the
/// operator OIDs they need and ask once.
enum OperatorCatalog {
    /// The operators with these OIDs, by OID (as text). Unknown OIDs are left out.
    static func read(_ oids: [String], on session: Session) throws -> [String: SQLOperator] {
        let wanted = Array(Set(oids.filter { !$0.isEmpty && $0 != "0" })).sorted()
        guard !wanted.isEmpty else { return [:] }
        var result: [String: SQLOperator] = [:]
        for row in try session.execute(
            """
            SELECT o.oid, n.nspname, o.oprname, ln.nspname AS left_schema, lt.typname AS left_name,
                   rn.nspname AS right_schema, rt.typname AS right_name
            FROM pg_catalog.pg_operator o
            JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
            LEFT JOIN pg_catalog.pg_type lt ON lt.oid = o.oprleft LEFT JOIN pg_catalog.pg_namespace ln ON ln.oid = lt.typnamespace
            LEFT JOIN pg_catalog.pg_type rt ON rt.oid = o.oprright LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rt.typnamespace
            WHERE o.oid = ANY(CAST(\(bindArray: wanted) AS pg_catalog.oid[]))
            """).rows {
            func type(_ prefix: String) -> SQLTypeName? {
                guard let schema = row[prefix + "_schema"], let name = row[prefix + "_name"] else { return nil }
                return SQLTypeName(schema: schema, name: name)
            }
            guard let op = SQLOperator(
                schema: try row.string("nspname"), name: try row.string("oprname"), leftType: type("left"), rightType: type("right"))
            else {
                throw FKBackfillError("\(try row.string("oprname")) is not an operator name", kind: .catalogChanged)
            }
            result[try row.string("oid")] = op
        }
        return result
    }

    /// Per column of `table`, the equality its type defines for itself: the `=` of the
    /// default btree operator class of the column's type (a domain's base type), or of
    /// the default hash class when there is no btree one. That is what `--replace-by`
    /// and other "same value" tests mean: citext compares case-blind, ltree as ltree,
    /// whatever `=` the search path would have found. Columns whose type has neither are
    /// left out (the caller says so).
    static func columnEquality(_ table: UInt32, _ columns: [String], on session: Session) throws -> [String: SQLOperator] {
        guard !columns.isEmpty else { return [:] }
        let rows = try session.execute(
            """
            WITH RECURSIVE base AS (
                SELECT a.attname, a.atttypid AS typ, 0 AS depth FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = CAST(\(bind: String(table)) AS pg_catalog.oid)
                  AND a.attname = ANY(CAST(\(bindArray: columns) AS pg_catalog.name[])) AND NOT a.attisdropped
                UNION ALL
                SELECT b.attname, t.typbasetype, b.depth + 1 FROM base b JOIN pg_catalog.pg_type t ON t.oid = b.typ
                WHERE t.typtype = 'd'
            ), typed AS (
                SELECT DISTINCT ON (b.attname) b.attname, t.oid AS typ, t.typtype, t.typcategory
                FROM base b JOIN pg_catalog.pg_type t ON t.oid = b.typ ORDER BY b.attname, b.depth DESC
            )
            SELECT y.attname, (
                SELECT am.amopopr FROM pg_catalog.pg_opclass oc
                JOIN pg_catalog.pg_am m ON m.oid = oc.opcmethod
                JOIN pg_catalog.pg_amop am ON am.amopfamily = oc.opcfamily AND am.amopmethod = oc.opcmethod
                     AND am.amoplefttype = oc.opcintype AND am.amoprighttype = oc.opcintype
                WHERE oc.opcdefault
                  AND ((m.amname = 'btree' AND am.amopstrategy = 3) OR (m.amname = 'hash' AND am.amopstrategy = 1))
                  AND (oc.opcintype = y.typ
                       OR EXISTS (SELECT 1 FROM pg_catalog.pg_cast c
                                  WHERE c.castsource = y.typ AND c.casttarget = oc.opcintype AND c.castmethod = 'b')
                       OR (oc.opcintype = CAST('pg_catalog.anyenum' AS pg_catalog.regtype) AND y.typtype = 'e')
                       OR (oc.opcintype = CAST('pg_catalog.anyrange' AS pg_catalog.regtype) AND y.typtype = 'r')
                       OR (oc.opcintype = CAST('pg_catalog.anymultirange' AS pg_catalog.regtype) AND y.typtype = 'm')
                       OR (oc.opcintype = CAST('pg_catalog.anyarray' AS pg_catalog.regtype) AND y.typcategory = 'A')
                       OR (oc.opcintype = CAST('pg_catalog.record' AS pg_catalog.regtype) AND y.typtype = 'c'))
                ORDER BY m.amname = 'btree' DESC, oc.opcintype = y.typ DESC LIMIT 1) AS op
            FROM typed y
            """).rows
        let operators = try read(rows.compactMap { $0["op"] }, on: session)
        var result: [String: SQLOperator] = [:]
        for row in rows { if let oid = row["op"], let op = operators[oid] { result[try row.string("attname")] = op } }
        return result
    }
}
