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
    /// An FK declared on a partition is served by an index on that partition (or one on
    /// the partitioned table, which every partition gets). One finding per table and columns: FKs of several partitions on the same columns
    /// (pagila's payment) are served by one index on the partitioned table (issue 24).
    func missingIndexes(_ keys: [ForeignKey], partitionIndexes: [TableName: [[String]]] = [:]) -> [Finding] {
        var seen: [String: Int] = [:]
        var names: [[String]] = []
        var findings: [Finding] = []
        for fk in keys {
            guard let finding = missingIndex(fk, partitionIndexes: partitionIndexes) else { continue }
            if let at = seen[finding.object] { names[at].append(fk.name); continue }
            seen[finding.object] = findings.count
            names.append([fk.name])
            findings.append(finding)
        }
        for (at, constraints) in names.enumerated() where constraints.count > 1 {
            findings[at].message = findings[at].message.replacingOccurrences(
                of: "the columns of \(constraints[0]):", with: "the columns of \(constraints.joined(separator: ", ")):")
        }
        return findings
    }

    /// The finding for one FK, or nil when an index serves it.
    func missingIndex(_ fk: ForeignKey, partitionIndexes: [TableName: [[String]]]) -> Finding? {
        let wanted = Set(fk.columns)
        var candidates = (facts.indexes[fk.table] ?? []).map(\.columns)
        if fk.declaredOn != fk.table { candidates += partitionIndexes[fk.declaredOn] ?? [] }
        let indexed = candidates.contains { columns in
            columns.count >= fk.columns.count && Set(columns.prefix(fk.columns.count)) == wanted
        }
        guard !indexed else { return nil }
        return Finding(
            kind: "missing-index", severity: .warning,
            object: "\(fk.table.description) (\(fk.columns.joined(separator: ", ")))",
            message: "no index starts with the columns of \(fk.name): deletes on \(fk.referencedTable.display) and validation scan \(fk.table.display)",
            fix: ("CREATE INDEX ON \(fk.table) (\(idents: fk.columns));" as SQL).description, table: fk.table)
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
                    fix: ("ALTER TABLE \(fk.table) ALTER COLUMN \(ident: childName) TYPE \(parent.sqlType);" as SQL).description,
                    table: fk.table)
            }
        }
    }

    /// NOT VALID constraints. Their orphans are counted only when data checks are on
    /// (`--sample-rows`, `--time-budget`), on the table or partition holding the constraint.
    func notValid(_ keys: [ForeignKey], checks: DataChecks) throws -> [Finding] {
        try keys.filter { !$0.validated && !$0.declared }.map { fk in
            let validate: SQL = "ALTER TABLE \(fk.declaredOn) VALIDATE CONSTRAINT \(ident: fk.name);"
            var onDeclaration = fk
            onDeclaration.table = fk.declaredOn
            let message = "\(fk.name) is NOT VALID: existing rows of \(fk.declaredOn.display) are not checked"
            let find = "(`fkbackfill validate \(fk.table.display)` lists them, `--sample-rows N` counts them)"
            guard let counted = try checks.orphans(onDeclaration) else {
                return Finding(kind: "not-valid", severity: .warning, object: "\(fk.declaredOn.description).\(fk.name)",
                               message: message + (checks.options.readsData ? "; not counted, the time budget was spent" : ""),
                               fix: "fix the rows without a parent \(find), then \(validate)", table: fk.table)
            }
            let orphans = counted.orphans
            let scope = checks.options.sampleRows.map { counted.rows >= $0 ? " of the first \(counted.rows) rows" : "" } ?? ""
            return Finding(
                kind: "not-valid", severity: .warning, object: "\(fk.declaredOn.description).\(fk.name)",
                message: message + "; \(orphans)\(scope) \(orphans == 1 ? "row has" : "rows have") no parent",
                fix: orphans == 0 && scope.isEmpty
                    ? validate.description
                    : "fix the rows without a parent \(find), then \(validate)",
                table: fk.table)
        }
    }

    func triggers(on targets: [TableName]) -> [Finding] {
        targets.compactMap { table in
            guard let names = facts.triggers[table], !names.isEmpty else { return nil }
            return Finding(
                kind: "enabled-triggers", severity: .info, object: table.description,
                message: "\(table.display) has enabled user triggers (\(names.joined(separator: ", "))); they fire for every loaded row",
                fix: "keep them if loads must fire them; otherwise disable them for bulk loads", table: table)
        }
    }
}
