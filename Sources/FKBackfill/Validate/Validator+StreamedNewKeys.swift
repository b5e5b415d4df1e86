import PostgresClient

/// What the streamed batches' missing keys become once the last batch is in: each FK's
/// findings, with what the new keys' parent rows would meet at their insert, told from the
/// keys themselves — a parent's key trigger storing another key (Validator+KeyTriggers),
/// no partition, a CHECK, a rule or trigger keeping the rows out (Validator+ParentNewRows).
extension Validator {
    func newKeyFindings(_ checked: [ForeignKey], _ tallies: [KeyTally], _ sql: StreamedStatements, catalog: Catalog) throws -> [Findings] {
        let target = sql.plan.target
        var findings = tallies.map { $0.findings() }
            // New keys a parent's key trigger would store otherwise (Validator+KeyTriggers.swift).
            for (index, fk) in checked.enumerated() where fk.columns.count == 1 && tallies[index].seen.count > 0 {
                guard let parent = sql.plan.parent(fk.referencedTable), !parent.isTarget, parent.backfills,
                      let assignments = try keyAssignments(parent), !assignments.expressions.isEmpty else { continue }
                var keys: [String] = []
                tallies[index].seen.forEach { if keys.count < Self.pendingSelfKeys { keys.append($0) } }
                guard keys.count == tallies[index].seen.count,
                      let changed = keysChanged(fk, parent, target: sql.plan.target, assignments: assignments, keys: keys),
                      let first = changed.first else { continue }
                findings[index].changedByTrigger = "a BEFORE INSERT trigger of \(parent.table.name.display) stores new keys other than asked "
                    + "(\(first.asked) → \(first.stored)): the load reads the keys back and stops"
            }
            // New parent rows that no partition accepts or a CHECK refuses (Validator+ParentNewRows.swift).
            for (index, fk) in checked.enumerated() where tallies[index].seen.count > 0 {
                // Under row-level security for this role, a key it hides counts missing here: no new row is sure.
                guard let parent = sql.plan.parent(fk.referencedTable), directlyFed(parent, target: target.name),
                      try rowSecurityActive([parent.table]).isEmpty else { continue }
                var keys: [String] = []
                tallies[index].seen.forEach { if keys.count <= Self.routedKeys { keys.append($0) } }
                findings[index].refusedNewRows = try refusedNewRows(fk, parent, keys: keys, plan: sql.plan, catalog: catalog)
            }
        return findings
    }
}
