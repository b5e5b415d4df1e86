import PostgresClient

/// The lint findings of an audit: schema problems that do not stop a backfill but slow
/// it down, let bad data in, or hide relations.
struct Lints {
    typealias Finding = AuditReport.Finding
    let catalog: Catalog
    let facts: TableFacts
    let session: Session

    /// No index whose leading columns are the FK columns: every delete or key update on
    /// the parent scans the child, and validation scans it too.
    func missingIndexes(_ keys: [ForeignKey]) -> [Finding] {
        keys.compactMap { fk in
            let wanted = Set(fk.columns)
            let indexed = (facts.indexes[fk.table] ?? []).contains { index in
                index.columns.count >= fk.columns.count && Set(index.columns.prefix(fk.columns.count)) == wanted
            }
            guard !indexed else { return nil }
            return Finding(
                kind: "missing-index", severity: .warning,
                object: "\(fk.table.description) (\(fk.columns.joined(separator: ", ")))",
                message: "no index starts with the columns of \(fk.name): deletes on \(fk.referencedTable.display) and validation scan \(fk.table.display)",
                fix: ("CREATE INDEX ON \(fk.table) (\(idents: fk.columns));" as SQL).description)
        }
    }

    /// Child and parent key columns of different types: a value can fit one and not the other.
    func typeMismatches(_ keys: [ForeignKey]) -> [Finding] {
        keys.flatMap { fk -> [Finding] in
            zip(fk.columns, fk.referencedColumns).compactMap { childName, parentName in
                guard let child = catalog.table(fk.table)?.column(childName),
                      let parent = catalog.table(fk.referencedTable)?.column(parentName),
                      child.type != parent.type else { return nil }
                return Finding(
                    kind: "type-mismatch", severity: .warning,
                    object: "\(fk.table.description).\(childName)",
                    message: "\(fk.name): \(childName) is \(child.type) but \(fk.referencedTable.display).\(parentName) is \(parent.type); "
                        + "a value can fit one and not the other",
                    fix: ("ALTER TABLE \(fk.table) ALTER COLUMN \(ident: childName) TYPE \(parent.sqlType);" as SQL).description)
            }
        }
    }

    /// Rows of `fk.table` whose key the parent lacks, under the FK's MATCH rule, compared
    /// with the FK's own operators.
    func orphanCount(_ fk: ForeignKey) throws -> Int {
        let child = KeyPredicates.columns("c", fk.columns)
        var condition: SQL = "(\(KeyPredicates.missing(fk, child: child)))"
        if fk.match == .full && child.count > 1 { condition += " OR " + KeyPredicates.partlyNull(child) }
        return try session.execute("SELECT count(*) AS n FROM \(fk.table.sql) c WHERE \(condition)").rows[0].int("n") ?? 0
    }

    func notValid(_ keys: [ForeignKey]) throws -> [Finding] {
        try keys.filter { !$0.validated && !$0.declared }.map { fk in
            let orphans = try orphanCount(fk)
            let validate: SQL = "ALTER TABLE \(fk.table) VALIDATE CONSTRAINT \(ident: fk.name);"
            return Finding(
                kind: "not-valid", severity: .warning, object: "\(fk.table.description).\(fk.name)",
                message: "\(fk.name) is NOT VALID: existing rows are not checked; \(orphans) \(orphans == 1 ? "row has" : "rows have") no parent",
                fix: orphans == 0
                    ? validate.description
                    : "fix the \(orphans) orphan rows (`fkbackfill validate \(fk.table.display)` lists them), then \(validate)")
        }
    }

    func partitionOnly(_ keys: [ForeignKey]) -> [Finding] {
        keys.filter { $0.declaredOn != $0.table && catalog.table($0.table)?.kind == .partitioned }.map { fk in
            Finding(
                kind: "partition-only-fk", severity: .warning, object: "\(fk.declaredOn.description).\(fk.name)",
                message: "\(fk.name) is declared on partition \(fk.declaredOn.display) only; other partitions of \(fk.table.display) are not checked",
                fix: ("ALTER TABLE \(fk.table) ADD FOREIGN KEY (\(idents: fk.columns)) REFERENCES \(fk.referencedTable) (\(idents: fk.referencedColumns));" as SQL)
                    .description)
        }
    }

    func triggers(on targets: [TableName]) -> [Finding] {
        targets.compactMap { table in
            guard let names = facts.triggers[table], !names.isEmpty else { return nil }
            return Finding(
                kind: "enabled-triggers", severity: .info, object: table.description,
                message: "\(table.display) has enabled user triggers (\(names.joined(separator: ", "))); they fire for every loaded row",
                fix: "keep them if loads must fire them; otherwise disable them for bulk loads")
        }
    }

    /// Columns named and typed like another table's single-column primary or unique key,
    /// with no FK (catalog or declared) on them: probably a relation nobody declared.
    func impliedRelations(in tables: [Table]) throws -> [Finding] {
        let rows = try session.execute(
            """
            WITH keys AS MATERIALIZED (
                SELECT x.indrelid AS relid, a.attname, format_type(a.atttypid, a.atttypmod) AS type
                FROM pg_index x
                JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
                JOIN pg_class r ON r.oid = x.indrelid
                JOIN pg_namespace n ON n.oid = r.relnamespace
                WHERE x.indisunique AND x.indnkeyatts = 1 AND x.indpred IS NULL AND x.indexprs IS NULL
                  AND NOT r.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%'
            ),
            -- Columns of the audited tables that are neither their own table's key nor in an FK.
            candidates AS MATERIALIZED (
                SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod) AS type
                FROM pg_attribute a
                WHERE a.attrelid = ANY(CAST(\(bindArray: tables.map { String($0.oid) }) AS oid[])) AND a.attnum > 0 AND NOT a.attisdropped
                  AND NOT EXISTS (SELECT 1 FROM keys own WHERE own.relid = a.attrelid AND own.attname = a.attname)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conrelid = a.attrelid AND a.attnum = ANY(f.conkey))
            )
            SELECT c.attrelid AS child, c.attname, k.relid AS parent, cn.nspname AS child_schema, cr.relname AS child_name,
                   pn.nspname AS parent_schema, pr.relname AS parent_name
            FROM candidates c
            JOIN keys k ON k.attname = c.attname AND k.type = c.type AND k.relid <> c.attrelid
            JOIN pg_class cr ON cr.oid = c.attrelid JOIN pg_namespace cn ON cn.oid = cr.relnamespace
            JOIN pg_class pr ON pr.oid = k.relid JOIN pg_namespace pn ON pn.oid = pr.relnamespace
            ORDER BY cn.nspname, cr.relname, c.attname, pn.nspname, pr.relname
            """).rows
        return try rows.compactMap { row -> Finding? in
            let child = TableName(schema: row.string("child_schema"), name: row.string("child_name"))
            let parent = TableName(schema: row.string("parent_schema"), name: row.string("parent_name"))
            let column = row.string("attname")
            // A relation declared in the rules file is not implied.
            if catalog.foreignKeys(of: child).contains(where: { $0.columns == [column] && $0.referencedTable == parent }) {
                return nil
            }
            // The tables were found in the catalog snapshot; a concurrent DROP can still
            // remove one before it is counted. Such a relation is no finding.
            let implied = ForeignKey(name: "\(child.name)_\(column)_fkey", table: child, columns: [column],
                                     referencedTable: parent, referencedColumns: [column])
            let orphans: Int
            do {
                orphans = try session.savepoint { try orphanCount(implied) }
            } catch let error as PostgresError where error.sqlState == SQLState.undefinedTable {
                return nil
            }
            return Finding(
                kind: "implied-relation", severity: .info, object: "\(child.description).\(column)",
                message: "\(child.display).\(column) looks like a reference to \(parent.display) (same name and type as its key), "
                    + "but no FK says so; \(orphans) \(orphans == 1 ? "row has" : "rows have") no match",
                fix: ("ALTER TABLE \(child) ADD CONSTRAINT \(ident: "\(child.name)_\(column)_fkey") FOREIGN KEY (\(ident: column)) "
                    + "REFERENCES \(parent) (\(ident: column)) NOT VALID;" as SQL).description,
                snippet: "relations:\n  - from: \(child.display) (\(column))\n    to: \(parent.display) (\(column))")
        }
    }
}
