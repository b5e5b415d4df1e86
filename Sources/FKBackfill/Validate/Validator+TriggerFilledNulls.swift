/// A NULL in a NOT NULL column of the target that a BEFORE INSERT trigger may fill, read
/// only (streamed or in place): PostgreSQL checks NOT NULL after the row's BEFORE triggers
/// ran, so a trigger that assigns the column (a warehouse's `NEW.customer_sk :=
/// coalesce(NEW.customer_sk, -1)`, the unknown member) makes the row load. The fourth
/// real-schema sweep: the standby said "would not load" for such rows, the load took
/// them. The staged prediction tries the insert; read-only cannot, so the rows are named
/// in `notExact` instead of stopping the verdict. With `--max-rejects` too: the load sets
/// no row aside for such a NULL (`LoadRun.markValueRejects`), nor do the batches
/// (`StreamedStatements.nullsLeftToTriggers`) or the in-place check.
extension Validator {
    static func leaveNullsToTriggers(_ report: inout ValidationReport, constraints: TargetConstraints, maxRejects: Int) {
        guard !constraints.beforeInsertTriggers.isEmpty else { return }
        // Under --max-rejects a NULL no trigger assigns is set aside, counted (a trigger
        // may only skip that row); without, whether the row loads is the insert's.
        func leftToInsert(_ column: String) -> Bool {
            maxRejects > 0 ? !constraints.setAsideOnInput([column]) : !constraints.keptByTriggers([column])
        }
        let left = report.columns.filter { $0.problem == .notNull && leftToInsert($0.column) }
        guard !left.isEmpty else { return }
        report.columns.removeAll { $0.problem == .notNull && leftToInsert($0.column) }
        for problem in left {
            report.notExact.append(
                "\(problem.column): NULL in a NOT NULL column on \(problem.rows) row\(problem.rows == 1 ? "" : "s")"
                    + (problem.sampleLines.isEmpty ? "" : " (\(lineList(problem.sampleLines, fileLines: report.linesAreFileLines)))")
                    + ", which BEFORE INSERT trigger \(constraints.beforeInsertTriggers.joined(separator: ", ")) may fill first: only the insert can tell, which is not tried")
        }
    }
}
