import PostgresClient

/// Read-only, a target in a cycle of tables: what the load's order of the writes
/// (`TargetCycle`, `LoadRun+TargetCycle.swift`) does that a batch does not evaluate. The
/// staged path finds these by its prediction (the blocker) or by trying the writes.
extension Validator {
    struct TargetCycleFindings {
        var notExact: [String] = []
    }

    /// `newRows`: new keys per parent the input names directly. Where only values derived
    /// for new rows could bring the cycle rows, the blocker is named in `notExact`.
    func targetCycleFindings(_ plan: LoadPlan, graph: DependencyGraph, newRows: [TableName: Int]) throws -> TargetCycleFindings {
        var found = TargetCycleFindings()
        let target = plan.target
        guard let cycle = plan.targetCycle,
              let index = plan.parents.first(where: \.isTarget)?.cycle ?? graph.cycles.firstIndex(where: { $0.tables.contains(target.name) })
        else { return found }
        let members = plan.parents.filter { !$0.isTarget && $0.cycle == index && $0.backfills }
        let direct = members.contains { (newRows[$0.table.name] ?? 0) > 0 }
        let derived = members.contains { $0.sources.contains { $0.origin != .staged } }
        guard direct || derived else { return found }
        switch cycle.order {
        case .none:
            // A direct FK into the cycle: the coverage's reason (`Coverage.reasons`), as audit says.
            guard graph.cycles.indices.contains(index), graph.cycles[index].breakable, !direct else { return found }
            found.notExact.append("if values derived for new rows bring new rows: \(cycle.noOrder(target.name))")
        case .targetFirst where !cycle.nulledTargetColumns.isEmpty:
            // The fact rows go in with these NULL; an UPDATE sets them once the parents are in.
            let columns = cycle.nulledTargetColumns.joined(separator: ", ")
            let order = "\(target.name.display) goes in before the other tables of its cycle (\(cycle.display)) with \(columns) NULL, "
                + "which an UPDATE then sets"
            let triggers = try updateTriggers(target)
            if !triggers.isEmpty {
                found.notExact.append("\(order): its UPDATE triggers (\(triggers.joined(separator: ", "))) run then, and are not tried")
            }
            if !(try rowSecurityActive([target])).isEmpty {
                found.notExact.append("\(order): row-level security on UPDATE of it is not tried")
            }
            let checks = try TableFacts.checks(of: [target], on: session)[target.name] ?? []
            let seeing = checks.filter { check in check.columns.contains(where: cycle.nulledTargetColumns.contains) }.map(\.name)
            if !seeing.isEmpty {
                found.notExact.append("\(order): its CHECK constraints on them (\(seeing.joined(separator: ", "))) see the NULL first, not evaluated")
            }
        default:
            break
        }
        return found
    }

    /// The enabled row triggers on UPDATE of `table` (BEFORE or AFTER).
    func updateTriggers(_ table: Table) throws -> [String] {
        try session.execute("""
            SELECT g.tgname FROM pg_catalog.pg_trigger g
            WHERE g.tgrelid OPERATOR(pg_catalog.=) CAST(\(bind: String(table.oid)) AS pg_catalog.oid) AND NOT g.tgisinternal
              AND g.tgenabled OPERATOR(pg_catalog.<>) 'D'
              AND (CAST(g.tgtype AS pg_catalog.int4) OPERATOR(pg_catalog.&) 17) OPERATOR(pg_catalog.=) 17
            ORDER BY g.tgname
            """).rows.map { try $0.string("tgname") }
    }
}
