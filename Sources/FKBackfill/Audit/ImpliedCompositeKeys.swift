import PostgresClient

/// Implied relations to parents whose key has two or three columns (issue 27):
/// `issues (tenant_id, project_id)` → `projects (tenant_id, id)`. One column must name
/// the parent and its key column as for single-column keys (RelationNaming: the parent's
/// name and key; `<parent>_id` for some other key column and role names do not count
/// here), and every other column of the key must be in the child under its own name and
/// with its type (never the child's own `id`).
/// A single column that matches only part of such a key is never reported: that is the
/// rule `ImpliedRelations` keeps for unique columns inside a composite primary key.
struct ImpliedCompositeKeys {
    struct Key {
        var table: TableName
        var columns: [(name: String, type: String)]
        var primary: Bool
    }

    let catalog: Catalog
    let session: Session

    /// Primary keys and unique constraints or indexes of 2–3 plain columns, every user table's.
    func keys() throws -> [Key] {
        let rows = try session.execute(
            """
            SELECT n.nspname, r.relname, x.indisprimary,
                   CAST(ARRAY(SELECT a.attname FROM unnest(x.indkey[0:x.indnkeyatts - 1]) WITH ORDINALITY AS k(n, o)
                              JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n ORDER BY k.o) AS text) AS names,
                   CAST(ARRAY(SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM unnest(x.indkey[0:x.indnkeyatts - 1])
                              WITH ORDINALITY AS k(n, o)
                              JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n ORDER BY k.o) AS text) AS types
            FROM pg_catalog.pg_index x
            JOIN pg_catalog.pg_class r ON r.oid = x.indrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
            WHERE x.indisunique AND x.indnkeyatts BETWEEN 2 AND 3 AND x.indpred IS NULL AND x.indexprs IS NULL
              AND NOT r.relispartition AND r.relkind IN ('r', 'p')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%'
            ORDER BY 1, 2, 3 DESC
            """).rows
        return try rows.map { row in
            let names = row.array("names").compactMap { $0 }, types = row.array("types").compactMap { $0 }
            return Key(table: TableName(schema: try row.string("nspname"), name: try row.string("relname")),
                       columns: Array(zip(names, types)).map { (name: $0.0, type: $0.1) }, primary: row.bool("indisprimary"))
        }
    }

    /// The findings for `tables`, leaving out columns in an FK or already reported.
    func findings(in tables: [Table], reported: Set<String>) throws -> [AuditReport.Finding] {
        guard !tables.isEmpty else { return [] }
        let keys = try keys()
        guard !keys.isEmpty else { return [] }
        var found: [AuditReport.Finding] = []
        for child in tables where !RelationNaming.looksLikeCopy(child.name) {
            let covered = Set(catalog.foreignKeys(of: child.name).flatMap(\.columns))
            let types = Dictionary(child.columns.map { ($0.name, $0.type) }) { first, _ in first }
            var seen: Set<String> = []
            for key in keys where key.table != child.name {
                for (position, target) in key.columns.enumerated() {
                    let others = key.columns.enumerated().filter { $0.offset != position }.map(\.element)
                    // The other key columns under their own names and types; a child's `id` is
                    // its own identity, never the rest of another table's key.
                    guard others.allSatisfy({ types[$0.name] == $0.type && $0.name.lowercased() != "id" }) else { continue }
                    for column in child.columns where column.type == target.type && column.name != target.name
                        && !covered.contains(column.name) && !others.contains(where: { $0.name == column.name }) {
                        guard let naming = RelationNaming.match(column: column.name, child: child.name, parent: key.table, key: target.name),
                              naming != .role, naming != .idOrCode else { continue }
                        let object = "\(child.name.description).\(column.name)"
                        guard !reported.contains(object), seen.insert(object).inserted else { continue }
                        let childColumns = others.map(\.name) + [column.name]
                        let parentColumns = others.map(\.name) + [target.name]
                        found.append(finding(child: child.name, childColumns: childColumns, key: key, parentColumns: parentColumns,
                                             evidence: [naming.describe(column: column.name, parent: key.table, key: target.name),
                                                        "the rest of \(key.table.name)'s \(key.primary ? "primary" : "unique") key "
                                                            + "(\(others.map(\.name).joined(separator: ", "))) is in \(child.name.name) with the same types",
                                                        "same types (\(parentColumns.map { name in key.columns.first { $0.name == name }!.type }.joined(separator: ", ")))"]
                                                 + (key.table.schema == child.name.schema ? ["same schema"] : []),
                                             object: object))
                    }
                }
            }
        }
        return found
    }

    func finding(child: TableName, childColumns: [String], key: Key, parentColumns: [String], evidence: [String], object: String)
        -> AuditReport.Finding
    {
        let constraint = "\(child.name)_\(childColumns.last ?? "key")_fkey"
        return AuditReport.Finding(
            kind: "implied-relation", severity: .info, object: object,
            message: "\(child.display) (\(childColumns.joined(separator: ", "))) looks like a reference to \(key.table.display) "
                + "(\(parentColumns.joined(separator: ", "))), but no FK says so: " + evidence.joined(separator: "; "),
            fix: ("ALTER TABLE \(child) ADD CONSTRAINT \(ident: constraint) FOREIGN KEY (\(idents: childColumns)) "
                + "REFERENCES \(key.table) (\(idents: parentColumns)) NOT VALID;" as SQL).description,
            snippet: "relations:\n  - from: \(child.display) (\(childColumns.joined(separator: ", ")))\n"
                + "    to: \(key.table.display) (\(parentColumns.joined(separator: ", ")))",
            table: child, evidence: evidence)
    }
}
