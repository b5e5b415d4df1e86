import PostgresClient

/// The parents' new rows validate predicts, as the load would insert them.
extension Prediction {
    /// How many new rows the parent would get, and up to `samples` of their keys, as text
    /// of the parent's own column types, in key order: as `insertParent` reports them.
    /// One per key as the parent's own type and collation tell keys apart, the first in
    /// the load's insert order (`ORDER BY` the key as staged) of each: the load inserts
    /// every missing key `ON CONFLICT DO NOTHING`, so `a` and `A` under a case-insensitive
    /// parent collation, or `ab` and `ab  ` into a char(4) key, are one new row, not two.
    func newKeys(_ parent: ParentPlan, samples: Int, collations: [String: SQL] = [:]) -> SQL {
        let parentKeys = parent.keyColumns.enumerated().map { position, name -> SQL in
            let type = parent.table.columns.first { $0.name == name }?.pinnedType ?? "pg_catalog.text"
            let cast: SQL = "CAST(v.\(LoadStatements.keyColumn(position)) AS \(type))"
            return collations[name].map { "\(cast) COLLATE \($0)" } ?? cast
        }
        let keys = parent.keyColumns.enumerated().map { position, name -> SQL in
            let type = parent.table.columns.first { $0.name == name }?.pinnedType ?? "pg_catalog.text"
            return "CAST(CAST(v.\(LoadStatements.keyColumn(position)) AS \(type)) AS pg_catalog.text)"
        }
        let staged = parent.keyColumns.indices.map { "v.\(LoadStatements.keyColumn($0))" as SQL }
        let rows: SQL = "(SELECT DISTINCT ON (\(parentKeys.joined(separator: ", "))) v.* FROM \(LoadStatements.values(parent.index)) v "
            + "WHERE v._fkb_missing ORDER BY \((parentKeys + staged).joined(separator: ", "))) v"
        return "SELECT (SELECT pg_catalog.count(*) FROM \(rows)) AS n, "
            + "CAST((SELECT pg_catalog.jsonb_agg(s.k ORDER BY s.o) FROM (SELECT pg_catalog.jsonb_build_array(\(keys.joined(separator: ", "))) AS k, "
            + "pg_catalog.row_number() OVER (ORDER BY \(parentKeys.joined(separator: ", "))) AS o FROM \(rows) "
            + "ORDER BY o LIMIT \(bind: max(samples, 0))) s) AS pg_catalog.text) AS sample"
    }

    /// The collation of each collatable key column of the parent, qualified and quoted.
    func keyCollations(_ parent: ParentPlan) throws -> [String: SQL] {
        var collations: [String: SQL] = [:]
        for row in try run.session.execute(
            """
            SELECT a.attname, n.nspname, c.collname FROM pg_catalog.pg_attribute a
            JOIN pg_catalog.pg_collation c ON c.oid OPERATOR(pg_catalog.=) a.attcollation
            JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.collnamespace
            WHERE a.attrelid OPERATOR(pg_catalog.=) CAST(\(bind: String(parent.table.oid)) AS pg_catalog.oid)
              AND a.attname OPERATOR(pg_catalog.=) ANY (CAST(\(bindArray: parent.keyColumns) AS pg_catalog.name[]))
            """).rows {
            collations[try row.string("attname")] = "\(ident: try row.string("nspname")).\(ident: try row.string("collname"))"
        }
        return collations
    }
}
