import PostgresClient

/// A `--source` table checked in place (on the primary, or read-only on a standby): the
/// target's own refusals of its rows, as a streamed CSV's batches find them
/// (`StreamedStatements+TargetRows`), over the whole source at once — so the repeats
/// of a unique key are counted by the server, exactly, whatever their number. The rows
/// of a table have no lines: counts only. Not for the target's own rows (no input):
/// they are in the table already.
extension Validator {
    func checkTargetRowsInPlace(_ sql: InPlaceStatements, _ report: inout ValidationReport, constraints: TargetConstraints) throws {
        let streamed = StreamedStatements(plan: sql.plan, load: sql.load)
        let target = sql.plan.target
        // --replace-by: a target row some source row replaces is deleted first and clashes with nothing.
        let checks = streamed.targetRowChecks(
            checks: try TableFacts.checks(of: [target], on: session)[target.name] ?? [], constraints: constraints, replacedBy: sql.source)
        if !sql.plan.replaceBy.isEmpty {
            // The load deletes from the target and its inheritance children (DELETE, not ONLY).
            report.deleted = try session.execute(
                "SELECT pg_catalog.count(*) AS n FROM \(target.name.sql) t WHERE EXISTS (SELECT 1 FROM \(sql.source) r WHERE \(sql.load.replaceMatch("t", "r")))"
            ).rows[0].int("n") ?? 0
        }
        if !checks.isEmpty {
            let counts = checks.enumerated().map { index, check -> SQL in
                "pg_catalog.count(*) FILTER (WHERE \(check.condition)) AS x\(int: index)"
            }
            let row = try session.execute("SELECT \(counts.joined(separator: ", ")) FROM \(sql.source) b").rows[0]
            for (index, check) in checks.enumerated() {
                let rows = row.int("x\(index)") ?? 0
                guard rows > 0 else { continue }
                report.columns.append(.init(column: check.column, problem: check.problem, detail: check.detail, rows: rows, sampleLines: []))
            }
        }
        let given = Set(sql.plan.stagedColumns.map(\.name))
        for key in StreamedStatements.checkedUniqueKeys(constraints, given: given) where key.defaultOperatorClasses {
            // Every row of a repeated key but its first, grouped as the index compares.
            let columns = key.columns.enumerated().map { key.collated("b.\(ident: $1)", $0) }.joined(separator: ", ")
            let rows = try session.execute(
                "SELECT coalesce(pg_catalog.sum(g.n OPERATOR(pg_catalog.-) 1), 0) AS n FROM (SELECT pg_catalog.count(*) AS n FROM \(sql.source) b "
                    + "WHERE \(key.complete("b")) GROUP BY \(columns)) g WHERE g.n OPERATOR(pg_catalog.>) 1").rows[0].int("n") ?? 0
            guard rows > 0 else { continue }
            report.columns.append(.init(
                column: key.columns.joined(separator: ", "), problem: .duplicateKey,
                detail: key.duplicateReason, rows: rows, sampleLines: []))
        }
    }
}
