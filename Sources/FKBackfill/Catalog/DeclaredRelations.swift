import PostgresClient

/// Adds the rules file's `relations:` to a catalog: each becomes a `ForeignKey` with
/// `declared = true`, and the referenced table's own parents are read too, so a declared
/// relation is followed as far as a catalog FK would be.
enum DeclaredRelations {
    /// A relation with its tables found in the database.
    struct Resolved {
        var relation: Relation
        var from: TableName
        var to: TableName
        var toOID: UInt32
        var key: ForeignKey.ReferencedKey
    }

    /// Finds both tables and checks that the referenced columns carry a primary key or
    /// unique constraint (ON CONFLICT needs one). Problems are collected, not thrown.
    static func resolve(_ relations: [Relation], on connection: Connection, problems: inout [RulesProblem]) throws -> [Resolved] {
        var resolved: [Resolved] = []
        for relation in relations {
            let from: (oid: UInt32, name: TableName)
            let to: (oid: UInt32, name: TableName)
            do {
                from = try TableResolver.resolve(relation.fromTable, on: connection)
                to = try TableResolver.resolve(relation.toTable, on: connection)
            } catch {
                problems.append(RulesProblem(relation.location, error.message, hint: error.hint))
                continue
            }
            let columns = try connection.execute(
                "SELECT attrelid, attname FROM pg_attribute WHERE attrelid IN ($1, $2) AND attnum > 0 AND NOT attisdropped",
                [String(from.oid), String(to.oid)])
            let fromColumns = columns.rows.filter { $0.string("attrelid") == String(from.oid) }.map { $0.string("attname") }
            let toColumns = columns.rows.filter { $0.string("attrelid") == String(to.oid) }.map { $0.string("attname") }
            var ok = true
            for column in relation.fromColumns where !fromColumns.contains(column) {
                problems.append(RulesProblem(relation.location, "relation: \(from.name.display) has no column \(column)",
                                             hint: didYouMean(column, in: fromColumns)))
                ok = false
            }
            for column in relation.toColumns where !toColumns.contains(column) {
                problems.append(RulesProblem(relation.location, "relation: \(to.name.display) has no column \(column)",
                                             hint: didYouMean(column, in: toColumns)))
                ok = false
            }
            guard ok else { continue }
            // A unique, non-partial index on exactly these columns (any order), preferring a constraint.
            let key = try connection.execute(
                """
                SELECT coalesce(c.contype::text, 'i') AS kind, coalesce(c.conname::text, ic.relname::text) AS name
                FROM pg_index x
                JOIN pg_class ic ON ic.oid = x.indexrelid
                LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.contype IN ('p', 'u')
                WHERE x.indrelid = $1 AND x.indisunique AND x.indpred IS NULL AND x.indexprs IS NULL
                  AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a
                       WHERE a.attrelid = x.indrelid AND a.attnum = ANY(x.indkey))
                      = (SELECT array_agg(n ORDER BY n) FROM unnest($2::text[]) AS n)
                ORDER BY c.contype NULLS LAST LIMIT 1
                """, [String(to.oid), textArray(relation.toColumns)])
            guard let row = key.rows.first else {
                problems.append(RulesProblem(
                    relation.location,
                    "relation: \(to.name.display) (\(relation.toColumns.joined(separator: ", "))) has no primary key or unique constraint",
                    hint: "backfilling inserts with ON CONFLICT on the referenced key, which needs a unique index on exactly those columns"))
                continue
            }
            let kind: ForeignKey.ReferencedKey.Kind = switch row.string("kind") {
            case "p": .primaryKey
            case "u": .uniqueConstraint
            default: .uniqueIndex
            }
            resolved.append(Resolved(
                relation: relation, from: from.name, to: to.name, toOID: to.oid,
                key: .init(kind: kind, name: row.string("name"))))
        }
        return resolved
    }

    /// Merges the relations whose referencing table is in the graph, reading each new
    /// referenced table's own closure, until nothing changes.
    static func merge(_ relations: [Resolved], into catalog: Catalog, on connection: Connection) throws -> Catalog {
        var tables = catalog.tables
        var foreignKeys = catalog.foreignKeys
        var pending = relations
        var changed = true
        while changed {
            changed = false
            for relation in pending where tables[relation.from] != nil {
                foreignKeys.append(ForeignKey(
                    name: relation.relation.name, table: relation.from, columns: relation.relation.fromColumns,
                    referencedTable: relation.to, referencedColumns: relation.relation.toColumns,
                    referencedKey: relation.key, declared: true))
                if tables[relation.to] == nil {
                    let more = try CatalogReader.readQueries(rootOID: relation.toOID, on: connection)
                    tables.merge(more.tables) { current, _ in current }
                    let known = Set(foreignKeys.map { EdgeID($0) })
                    foreignKeys += more.foreignKeys.filter { !known.contains(EdgeID($0)) }
                }
                changed = true
            }
            pending.removeAll { tables[$0.from] != nil }
        }
        return Catalog(root: catalog.root, tables: tables, foreignKeys: foreignKeys)
    }

    /// A `text[]` literal for a bound parameter.
    static func textArray(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}
