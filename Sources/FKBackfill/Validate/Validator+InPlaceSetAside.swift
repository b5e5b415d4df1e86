import PostgresClient

/// `--max-rejects` for a `--source` checked in place (on the primary or read-only): the
/// load sets the source's bad rows aside and commits while at most N are, and a row set
/// aside brings no parent row. So the FKs are checked over the rows it keeps — the
/// source without the rows that fail a NOT NULL, a CHECK, routing or a key already in the
/// target, or that the rules set aside (blank keys, `on_missing: reject`), as the streamed
/// batches flag them (StreamedStatements+SetAside.swift) — and the rows set aside are
/// counted once each, with the repeats of a unique key among the rows kept. A table's
/// rows have no order, so which row of a repeated key loads first is not known: their FK
/// keys are checked as if each loaded, and `notExact` says so when there are any.
extension Validator {
    /// The source's rows the load keeps, as a relation (`(SELECT … ) `).
    func keptInPlace(_ sql: InPlaceStatements, constraints: TargetConstraints) throws -> SQL {
        let streamed = StreamedStatements(plan: sql.plan, load: sql.load)
        var rows = Self.setAside(streamed).conditions
        // A NULL a BEFORE INSERT trigger may fill is the insert's to judge (`LoadRun.markValueRejects`).
        rows += sql.plan.stagedColumns.filter { $0.notNull && constraints.setAsideOnInput([$0.name]) }.map { "s.\(ident: $0.name) IS NULL" as SQL }
        let target = streamed.targetRowChecks(
            checks: try TableFacts.checks(of: [sql.plan.target], on: session)[sql.plan.target.name] ?? [], constraints: constraints,
            replacedBy: sql.source).map(\.condition)
        func none(_ conditions: [SQL]) -> SQL {
            conditions.isEmpty ? "true" : "NOT (" + conditions.map { "coalesce((\($0)), false)" as SQL }.joined(separator: " OR ") + ")"
        }
        // Each test over its one relation: partition bounds name columns bare.
        return "(SELECT b.* FROM (SELECT s.* FROM \(sql.source) s WHERE \(none(rows))) b WHERE \(none(target)))"
    }

    /// The rows set aside: those `kept` leaves out, and every repeat of a unique key among
    /// the rest but one; held against the limit in `report`.
    func countSetAsideInPlace(_ sql: InPlaceStatements, kept: SQL, constraints: TargetConstraints, _ report: inout ValidationReport, maxRejects: Int) throws {
        let keys = StreamedStatements.checkedUniqueKeys(constraints, given: Set(sql.plan.stagedColumns.map(\.name))).filter(\.defaultOperatorClasses)
        // A row repeating any key (one of its rows but one per key's value), counted once.
        let repeatsAny: SQL = keys.isEmpty ? "0" : "(SELECT pg_catalog.count(*) FROM (SELECT " + keys.enumerated().map { index, key -> SQL in
            let columns = key.columns.enumerated().map { key.collated("b.\(ident: $1)", $0) }.joined(separator: ", ")
            return "CASE WHEN \(key.complete("b")) THEN pg_catalog.row_number() OVER (PARTITION BY \(columns)) ELSE 1 END AS r\(int: index)"
        }.joined(separator: ", ") + " FROM \(kept) b) x WHERE " + keys.indices.map { "x.r\(int: $0) OPERATOR(pg_catalog.>) 1" as SQL }.joined(separator: " OR ") + ")"
        let row = try session.execute(
            "SELECT (SELECT pg_catalog.count(*) FROM \(sql.source) s) OPERATOR(pg_catalog.-) (SELECT pg_catalog.count(*) FROM \(kept) k) AS flagged, "
                + "\(repeatsAny) AS repeated").rows[0]
        let repeated = row.int("repeated") ?? 0
        report.setAside(rows: (row.int("flagged") ?? 0) + repeated, maxRejects: maxRejects)
        if repeated > 0 {
            report.notExact.append("--max-rejects: a table's rows have no order, so which row of a repeated unique key loads is not known: "
                + "the FK keys of every such row were checked")
        }
        let clashes = report.columns.filter { $0.problem == .keyExists }.reduce(0) { $0 + $1.rows }
        if keys.count > 1, repeated + clashes > 0 { report.notExact.append(Self.twoKeysNote) }
    }
}
