import PostgresClient

/// The audit's findings that only Citus has (docs/scale-out.md): on a coordinator, what stops
/// a table from being distributed, or an FK from holding across workers. Off Citus, none.
struct CitusFindings {
    let catalog: Catalog
    let session: Session

    func findings(tables: [Table], foreignKeys: [ForeignKey]) throws -> [AuditReport.Finding] {
        guard let citus = try CitusTables.read(on: session) else { return [] }
        var found: [AuditReport.Finding] = []
        for fk in foreignKeys where !fk.declared {
            guard let child = catalog.table(fk.table), let parent = catalog.table(fk.referencedTable) else { continue }
            let (c, p) = (citus.entry(child.oid), citus.entry(parent.oid))
            let distributed: Set<CitusTables.Kind> = [.distributed, .singleShard]
            if let c, let p, distributed.contains(c.kind), distributed.contains(p.kind), !citus.colocated(child.oid, parent.oid) {
                found.append(.init(
                    kind: "citus-fk-not-colocated", severity: .error, object: "\(fk.table.description).\(fk.name)",
                    message: "\(fk.table.display) and \(fk.referencedTable.display) are distributed but not co-located: "
                        + "a child row and its parent may sit on different workers, where no trigger can check the FK",
                    fix: "distribute \(fk.table.display) with colocate_with => '\(fk.referencedTable.display)' by the FK column, "
                        + "or make \(fk.referencedTable.display) a reference table"))
            }
            if let c, c.kind == .reference || c.kind == .local, let p, distributed.contains(p.kind) {
                found.append(.init(
                    kind: "citus-reference-to-distributed", severity: .error, object: "\(fk.table.description).\(fk.name)",
                    message: "Citus \(c.kind.rawValue) table \(fk.table.display) references distributed \(fk.referencedTable.display): "
                        + "its copies on every node cannot check keys that live on one worker",
                    fix: "make \(fk.referencedTable.display) a reference table, or distribute \(fk.table.display) alongside it"))
            }
        }
        let oids = tables.map { String($0.oid) }
        guard !oids.isEmpty else { return found }
        // Unique keys, with their columns, of the audited tables.
        let unique = try session.execute(
            """
            SELECT CAST(i.indrelid AS text) AS rel, CAST(CAST(i.indexrelid AS regclass) AS text) AS name,
                   array_agg(a.attname ORDER BY k.n) AS columns
            FROM pg_catalog.pg_index i
            CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
            JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
            WHERE i.indisunique AND i.indrelid = ANY(CAST(\(bindArray: oids) AS oid[]))
            GROUP BY i.indrelid, i.indexrelid ORDER BY 2
            """).rows
        for table in tables.sorted(by: { $0.name < $1.name }) {
            let entry = citus.entry(table.oid)
            let keys = try unique.filter { try $0.string("rel") == String(table.oid) }.map { (try $0.string("name"), $0.array("columns").compactMap { $0 }) }
            if let entry, entry.kind == .distributed, let column = entry.distributionColumn {
                for (name, columns) in keys where !columns.contains(column) {
                    found.append(.init(
                        kind: "citus-unique-without-distribution-column", severity: .warning, object: "\(table.name.description).\(name)",
                        message: "unique key \(name) (\(columns.joined(separator: ", "))) lacks distribution column \(column): "
                            + "Citus cannot enforce it across workers", fix: "add \(column) to the key"))
                }
            } else if entry == nil {
                // Not distributed yet: a fact table is distributed by one of its FK columns.
                let fkColumns = Set(catalog.foreignKeys(of: table.name).filter { !$0.declared }.flatMap(\.columns))
                guard !fkColumns.isEmpty else { continue }
                for (name, columns) in keys where fkColumns.isDisjoint(with: columns) {
                    found.append(.init(
                        kind: "citus-unique-without-distribution-column", severity: .info, object: "\(table.name.description).\(name)",
                        message: "unique key \(name) (\(columns.joined(separator: ", "))) contains none of \(table.name.display)'s FK columns: "
                            + "Citus cannot distribute the table by any of them while the key stays",
                        fix: "drop the key or add the distribution column to it before create_distributed_table"))
                }
                for column in table.columns where column.identity != nil {
                    found.append(.init(
                        kind: "citus-identity-column", severity: .info, object: "\(table.name.description).\(column.name)",
                        message: "identity column \(column.name) blocks create_distributed_table on Citus",
                        fix: "replace the identity with a sequence default (bigserial) before distributing \(table.name.display)"))
                }
            }
        }
        return found
    }
}
