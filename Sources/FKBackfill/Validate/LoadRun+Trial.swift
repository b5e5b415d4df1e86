import Foundation
import PostgresClient

/// Validate's trial: what only PostgreSQL can tell, asked of PostgreSQL.
///
/// Some outcomes are decided by code and constraints the prediction does not evaluate: a
/// parent's INSERT triggers and rules (which may assign, rewrite or drop a key), an
/// exclusion constraint or another unique index a placeholder row may collide with, a
/// policy hiding a parent row, the target's own triggers, exclusion constraints, partial
/// unique indexes, per-partition generated or default keys. Guessing them is how validate
/// and load came to disagree; so where the catalog shows one, validate runs the load's
/// own write steps for the part concerned inside a savepoint and rolls it back. The verdict
/// is then PostgreSQL's, and the report says which steps were tried and why.
extension LoadRun {
    /// Why the new parent rows' insert must be tried: per parent, the triggers, rules and
    /// constraints the prediction cannot evaluate on its new rows.
    func parentTrialReasons() throws -> [String] {
        var reasons: [String] = []
        for parent in plan.parents where available.contains(parent.index) && parent.backfills && !parent.isTarget {
            guard let count = counts[parent.index], count.candidates > count.present else { continue }
            let hooks = try ParentHooks.read(parent.table, routing: false, on: session)
            if !hooks.isEmpty { reasons.append("\(parent.table.name.display) has \(hooks.joined(separator: ", ")) on INSERT") }
            for what in try ParentHooks.unevaluated(parent.table, key: parent.keyColumns, on: session) {
                reasons.append("\(what) of \(parent.table.name.display)")
            }
        }
        return reasons + triggerFilledColumns
    }

    /// Runs the backfill (and, when `target` is non-empty, the fact insert and its check)
    /// in a savepoint that is always rolled back. Returns what stopped it, in the load's
    /// own words, or nil when PostgreSQL took every row; `inserted` and `skipped` then
    /// hold what the fact insert stored and what the target's triggers skipped.
    func trialWrite(target targetReasons: [String]) throws -> (stopped: [String]?, inserted: Int?, skipped: Int) {
        do {
            return try session.rolledBack {
                // A target in a cycle: the same order as the load's (`TargetCycle`).
                try backfillParents(targetFirst ? .beforeTarget : .all)
                guard !targetReasons.isEmpty || targetFirst, options.loadTarget else { return (nil, nil, 0) }
                if !options.replaceBy.isEmpty { try deleteReplaced() }
                try chooseFKCheck()
                try clearTargetCycleColumns()
                try insertTarget()
                try finishTargetCycle()
                try verifyStoredRows()
                return (nil, report.inserted, report.skipped)
            }
        } catch let error as FKBackfillError {
            guard error.category == .findings else { throw error }
            let said = error.message.replacingOccurrences(of: ", nothing was written", with: "")
            return ([said] + error.details, nil, 0)
        }
    }
}
