import PostgresClient

/// A new parent row's FK column left to its DEFAULT, judged read-only (hostile review 17:
/// Odoo's `partner.company_id NOT NULL DEFAULT 1 REFERENCES company`, no company 1: the
/// load's insert of the new partners fails on PostgreSQL's check, the standby said would
/// load). Every new row takes the same DEFAULT key, so it is evaluated once and looked up,
/// as the target's own defaulted keys are (Validator+StreamedDefaultedKeys.swift). Not
/// where the key cannot be known before the insert (a sequence, a VOLATILE function, a
/// domain's default, part of the key inserted, a trigger or rule on the parent), where
/// the referenced table may get that key from this load (the input's keys feed it), or where its
/// row-level security hides rows from this role: those stay named in notExact.
extension Validator {
    /// The FKs of `parent`'s new rows whose columns all take their DEFAULTs: per FK, why
    /// the load stops (nil: the key is NULL or there), or absent when it cannot be judged.
    func parentDefaultedKeyStops(_ parent: ParentPlan, plan: LoadPlan, catalog: Catalog) throws -> [String: String?] {
        let inserted = Set(parent.insertedColumns.map(\.column.name))
        var stops: [String: String?] = [:]
        let fks = catalog.foreignKeys(of: parent.table.name).filter { fk in
            !fk.declared && fk.columns.allSatisfy { !inserted.contains($0) } && fk.declaredOn == parent.table.name
        }
        guard !fks.isEmpty, try ParentHooks.read(parent.table, routing: false, on: session).isEmpty else { return [:] }
        // A referenced table the input's own keys feed (or a cycle) may get that key from this load.
        let fed = { (name: TableName) in
            plan.parents.contains { $0.table.name == name && ($0.isTarget || $0.cycle != nil || $0.sources.contains { $0.origin == .staged }) }
        }
        let volatile = try ColumnDefaults.volatileColumns(of: parent.table, on: session)
        for fk in fks where !fed(fk.referencedTable) {
            let columns = fk.columns.compactMap { parent.table.column($0) }
            guard columns.count == fk.columns.count, columns.allSatisfy({ !$0.isDatabaseGenerated && ($0.defaultExpression != nil || !$0.domainDefault) })
            else { continue }
            guard !columns.contains(where: { volatile.contains($0.name) }),
                  try rowSecurityActive(catalog.table(fk.referencedTable).map { [$0] } ?? []).isEmpty,
                  let values = try defaultValues(columns) else { continue }
            let stop = try defaultedKeyStop(fk, columns, values).map { _ in
                "new rows of \(parent.table.name.display) would be refused: their \(fk.columns.joined(separator: ", ")) "
                    + "\(columns.count == 1 ? "takes its" : "take their") DEFAULT, key (\(fk.columns.joined(separator: ", "))) = "
                    + "(\(values.map { $0 ?? "NULL" }.joined(separator: ", "))), which \(fk.referencedTable.display) has not (\(fk.name))"
            }
            stops.updateValue(stop, forKey: fk.name)  // nil kept: judged, and it passes
        }
        return stops
    }
}
