import Foundation
import PostgresClient

/// Checks, after a test that commits, that every FK in the test's schemas holds: the
/// anti-join PostgreSQL's own check would run, for every constraint including NOT VALID
/// ones, with the constraint's own operators and MATCH rule. Also that the database
/// gives new sessions `session_replication_role = origin`.
public enum OrphanOracle {
    /// One line per FK with orphans (`constraint on table: N rows`); empty when all hold.
    public static func orphans(in schemas: [String], on connection: Connection) throws -> [String] {
        let constraints = try connection.execute(
            """
            SELECT c.conname, c.confmatchtype, cn.nspname AS child_schema, cr.relname AS child,
                   pn.nspname AS parent_schema, pr.relname AS parent,
                   (SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS child_columns,
                   (SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n)
                      JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS parent_columns,
                   (SELECT array_agg(pg_catalog.format('OPERATOR(%I.%s)', o.oprnamespace::regnamespace::text, o.oprname) ORDER BY k.n)
                      FROM unnest(c.conpfeqop) WITH ORDINALITY AS k(op, n) JOIN pg_operator o ON o.oid = k.op) AS operators,
                   (SELECT array_agg(pg_catalog.format_type(o.oprleft, NULL) ORDER BY k.n)
                      FROM unnest(c.conpfeqop) WITH ORDINALITY AS k(op, n) JOIN pg_operator o ON o.oid = k.op) AS left_types,
                   (SELECT array_agg(pg_catalog.format_type(o.oprright, NULL) ORDER BY k.n)
                      FROM unnest(c.conpfeqop) WITH ORDINALITY AS k(op, n) JOIN pg_operator o ON o.oid = k.op) AS right_types,
                   -- The referenced column's collation where the referencing one's differs, as
                   -- ri_triggers.c adds it (ri_GenerateQualCollation); '' where they agree.
                   (SELECT array_agg(CASE WHEN pa.attcollation <> ca.attcollation AND pa.attcollation <> 0
                                          THEN pg_catalog.format(' COLLATE %I.%I', co.collnamespace::regnamespace::text, co.collname) ELSE '' END ORDER BY k.n)
                      FROM unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(f, p, n)
                      JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = k.f
                      JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = k.p
                      LEFT JOIN pg_collation co ON co.oid = pa.attcollation) AS collations
            FROM pg_constraint c
            JOIN pg_class cr ON cr.oid = c.conrelid JOIN pg_namespace cn ON cn.oid = cr.relnamespace
            JOIN pg_class pr ON pr.oid = c.confrelid JOIN pg_namespace pn ON pn.oid = pr.relnamespace
            WHERE c.contype = 'f' AND cn.nspname = ANY(CAST(\(bindArray: schemas) AS name[]))
            """)
        var found: [String] = []
        for row in constraints.rows {
            let child = row.array("child_columns").compactMap { $0 }
            let parent = row.array("parent_columns").compactMap { $0 }
            let operators = row.array("operators").compactMap { $0 }
            let leftTypes = row.array("left_types").compactMap { $0 }, rightTypes = row.array("right_types").compactMap { $0 }
            let collations = row.array("collations").map { $0 ?? "" }
            let childTable: SQL = "\(ident: try row.string("child_schema")).\(ident: try row.string("child"))"
            let parentTable: SQL = "\(ident: try row.string("parent_schema")).\(ident: try row.string("parent"))"
            let set = child.map { "c.\(ident: $0) IS NOT NULL" as SQL }.joined(separator: " AND ")
            // The operator text comes from format('%I…') over the catalog: a quoted schema and an operator name;
            // the types from format_type. Each operand is cast to the operator's input type, as
            // ri_triggers.c does: `text` against a char(n) key compares as bpchar, not as text.
            // A polymorphic input (anyenum, anyarray) takes the operand as it is.
            func operand(_ column: SQL, _ type: String) -> SQL { type.hasPrefix("any") ? column : "CAST(\(column) AS \(unsafeRaw: type))" }
            let match = parent.indices.map { i -> SQL in
                "\(operand("p.\(ident: parent[i])", leftTypes[i])) \(unsafeRaw: operators[i]) \(operand("c.\(ident: child[i])", rightTypes[i]))\(unsafeRaw: collations[i])"
            }.joined(separator: " AND ")
            var condition: SQL = "(\(set) AND NOT EXISTS (SELECT 1 FROM \(parentTable) p WHERE \(match)))"
            if try row.string("confmatchtype") == "f" && child.count > 1 {
                let values = child.map { "c.\(ident: $0)" as SQL }.joined(separator: ", ")
                condition += " OR pg_catalog.num_nulls(\(values)) BETWEEN 1 AND \(int: child.count - 1)"
            }
            let count = try connection.execute("SELECT count(*) AS n FROM \(childTable) c WHERE \(condition)").rows[0].int("n") ?? 0
            if count > 0 { found.append("\(try row.string("conname")) on \(try row.string("child_schema")).\(try row.string("child")): \(count) rows") }
        }
        let fresh = try Connection()
        let role = try fresh.execute("SELECT pg_catalog.current_setting('session_replication_role') AS r").rows[0].string("r")
        if role != "origin" { found.append("session_replication_role is \(role), not origin") }
        return found
    }
}
