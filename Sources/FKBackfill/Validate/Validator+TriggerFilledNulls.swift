/// A NULL in a NOT NULL column of the target that a BEFORE INSERT trigger may fill, read
/// only (streamed or in place): PostgreSQL checks NOT NULL after the row's BEFORE triggers
/// ran, so a trigger that assigns the column (a warehouse's `NEW.customer_sk :=
/// coalesce(NEW.customer_sk, -1)`, the unknown member) makes the row load. The fourth
/// real-schema sweep: the standby said "would not load" for such rows, the load took
/// them. The staged prediction tries the insert; read-only cannot, so the rows are named
/// in `notExact` instead of stopping the verdict. With `--max-rejects` the load's reject
/// step sets them aside on the input's values before any trigger runs (docs/validate.md),
/// so there they stay counted.
extension Validator {
    static func leaveNullsToTriggers(_ report: inout ValidationReport, constraints: TargetConstraints, maxRejects: Int) {
        guard maxRejects == 0, !constraints.beforeInsertTriggers.isEmpty else { return }
        let left = report.columns.filter { $0.problem == .notNull && !constraints.keptByTriggers([$0.column]) }
        guard !left.isEmpty else { return }
        report.columns.removeAll { $0.problem == .notNull && !constraints.keptByTriggers([$0.column]) }
        for problem in left {
            let lines = problem.sampleLines.map(String.init).joined(separator: ", ")
            report.notExact.append(
                "\(problem.column): NULL in a NOT NULL column on \(problem.rows) row\(problem.rows == 1 ? "" : "s")"
                    + (lines.isEmpty ? "" : " (lines \(lines))")
                    + ", which BEFORE INSERT trigger \(constraints.beforeInsertTriggers.joined(separator: ", ")) may fill first: only the insert can tell, which is not tried")
        }
    }
}
