/// Validate's per-FK verdict, read off the predicted load: a missing key is fixable when
/// the load would backfill it, which is decided by the load's own plan and its refusals,
/// not by a separate judgement of the schema.
extension Prediction {
    /// `skipped`: the rules' reasons when they say the FK's keys are not backfilled.
    func validationResult(
        _ fk: ForeignKey, _ found: Validator.Findings, planError: String?, skipped: [String]
    ) -> ValidationReport.ForeignKeyResult {
        var result = ValidationReport.ForeignKeyResult(
            name: fk.name, table: fk.table, referencedTable: fk.referencedTable, declared: fk.declared,
            violatingRows: found.violating + found.partlyNull, missingKeys: found.missing, fixableKeys: 0,
            unfixableKeys: 0, reasons: [], samples: found.samples)
        let parent = run.plan.parent(fk.referencedTable)
        if let planError {
            result.reasons.append(planError)
        } else if found.missing > 0 {
            if !skipped.isEmpty {
                result.reasons += skipped
            } else if let guarded = run.plan.guardedKeys.first(where: { $0.foreignKey.name == fk.name && $0.foreignKey.table == fk.table }) {
                result.reasons.append("missing keys are not backfilled: the rules " + (guarded.reject ? "reject their rows" : "fail the load"))
            } else if let parent, !parent.backfills {
                result.reasons.append("\(fk.referencedTable.display) is not backfilled (mode: \(parent.mode.rawValue))")
            } else if parent == nil {
                result.reasons.append("\(fk.referencedTable.display) is not backfilled")
            } else if let parent {
                let blocked = newRowsNeeded(from: parent.index).filter { run.blockedTables.contains($0) }
                if blocked.isEmpty {
                    result.fixableKeys = found.missing - found.blank
                } else {
                    result.reasons += run.blockers.filter { blocker in blocked.contains { blocker.hasPrefix($0.display) || blocker.contains(" \($0.display)") } }
                    if result.reasons.isEmpty {
                        result.reasons.append("new rows of " + blocked.map(\.display).joined(separator: ", ") + " cannot be written")
                    }
                }
            }
        }
        result.unfixableKeys = found.missing - result.fixableKeys
        result.reasons += found.neverBackfilled(onBlank: run.plan.blank.onBlank)
        return result
    }

    /// The parent at `index` and every parent whose keys come from its new rows,
    /// transitively: the tables that must take new rows for its new rows to be written.
    func newRowsNeeded(from index: Int) -> [TableName] {
        var reached: [Int] = [index]
        var next = 0
        while next < reached.count {
            let current = reached[next]
            next += 1
            for parent in run.plan.parents where !reached.contains(parent.index)
                && parent.sources.contains(where: { $0.origin == .parent(index: current) }) {
                reached.append(parent.index)
            }
        }
        return reached.map { run.plan.parents[$0].table.name }
    }
}
