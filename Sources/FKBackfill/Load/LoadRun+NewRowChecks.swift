import Foundation
import PostgresClient

extension LoadRun {
    /// Before the first write: the new parent rows checked against their NOT NULL and
    /// CHECK constraints, the same test validate's prediction runs
    /// (`newParentRowProblems`). A placeholder that PostgreSQL would refuse stops the load
    /// here with exit 1, naming the table, constraint and count, instead of a raw 23514 or
    /// 23502 from the middle of the backfill (exit 3).
    func refuseBadNewRows() throws {
        let problems = try newParentRowProblems()
        guard !problems.isEmpty else { return }
        throw FKBackfillError(
            "cannot backfill \(target.name.display): new parent rows would be refused, nothing was written",
            details: problems,
            hint: "give those columns values that pass with a rule in the rules file (see `fkbackfill init`), "
                + "or backfill those parents yourself first",
            kind: .blocked)
    }

    /// New parent rows the insert would refuse: a NULL in a NOT NULL column that a rule
    /// derives (input columns are `unfillable`'s), or a CHECK that fails.
    func newParentRowProblems() throws -> [String] {
        var problems: [String] = []
        let allChecks = try TableFacts.checks(of: plan.parents.map(\.table), on: session)
        for parent in plan.parents where parentStates[parent.index].available && parent.backfills {
            guard parentStates[parent.index].hasMissingKeys else { continue }
            // PostgreSQL runs BEFORE INSERT triggers before NOT NULL and CHECK: one may make
            // the row pass (lower-case a name a CHECK wants lower-case: the second sweep),
            // so such a parent's insert decides, and a refusal names it (`refusingNewRows`).
            if try ParentHooks.read(parent.table, routing: false, on: session).contains(where: { $0.hasPrefix("trigger ") }) { continue }
            let columns = parent.insertedColumns
            let names = Set(columns.map(\.column.name))
            var tests: [(what: String, condition: SQL)] = []
            for column in columns where column.column.notNull && !column.deferredUntilCycleLoaded {
                if case .staged = column.source { continue }
                tests.append(("\(column.column.name) is NOT NULL but its rule gives NULL", "p.\(ident: column.column.name) IS NULL"))
            }
            // A column the backfill leaves out gets its default, as the insert gives it.
            var leftOut: [String] = []
            // A CHECK calling the user's code runs under their path at the insert, not here
            // under the tool's (review 15: a function reading an unqualified table).
            for check in allChecks[parent.table.name] ?? [] where !check.callsCode {
                let missing = check.columns.filter { !names.contains($0) }
                guard missing.allSatisfy({ name in parent.table.columns.contains { $0.name == name } }) else { continue }
                // A column left out whose domain has a DEFAULT gets that, not NULL: the insert
                // decides (hostile review 16: a real INSERT took the row this refused).
                if missing.contains(where: { name in parent.table.column(name).map { $0.domainDefault && $0.defaultExpression == nil } ?? true }) {
                    continue
                }
                for name in missing where !leftOut.contains(name) { leftOut.append(name) }
                tests.append(("fails CHECK \(check.name)", "NOT (\(check.sql))"))
            }
            // A value longer than a varchar(n) or char(n) column: the insert's assignment
            // refuses it (22001) unless what is beyond n is spaces (derived values are
            // computed unbounded: `Column.derivedValueType`).
            var raws: [SQL] = []
            for (index, pair) in zip(columns, sql.insertedValues(parent)).enumerated() {
                let (column, value) = pair
                guard case .key = column.source else {
                    guard let limit = TextStaging.maxLength(column.column) else { continue }
                    let raw: SQL = "_fkb_raw_\(int: index)"
                    raws.append(", CAST(\(value) AS pg_catalog.text) AS \(raw)")
                    tests.append(("\(column.column.name) gets a value longer than \(limit) characters",
                                  "pg_catalog.length(pg_catalog.rtrim(p.\(raw), ' ')) OPERATOR(pg_catalog.>) \(int: limit)"))
                    continue
                }
            }
            guard !tests.isEmpty else { continue }
            let defaults = leftOut.map { name -> SQL in
                let column = parent.table.columns.first { $0.name == name }
                return ", CAST(\(column?.defaultSQL ?? "NULL") AS \(column?.pinnedType ?? "pg_catalog.text")) AS \(ident: name)"
            }
            // Typed as the columns, as the insert would assign them (a bare NULL would be text).
            // Under each column's own collation, as the table compares (an ICU key under a CHECK).
            let values = zip(columns, sql.insertedValues(parent)).map { column, value -> SQL in
                "\(column.column.collated("CAST(\(value) AS \(column.column.pinnedType))")) AS \(ident: column.column.name)"
            }
            let counted = tests.enumerated().map { index, test -> SQL in "count(*) FILTER (WHERE \(test.condition)) AS c\(int: index)" }
            let row = try session.execute(
                "SELECT \(counted.joined(separator: ", ")) FROM (SELECT \(values.joined(separator: ", "))\(defaults.joined())\(raws.joined()) "
                    + "FROM \(LoadStatements.values(parent.index)) v WHERE v._fkb_missing) p").rows[0]
            for (index, test) in tests.enumerated() {
                let n = row.int("c\(index)") ?? 0
                if n > 0 {
                    problems.append("\(n) new rows of \(parent.table.name.display): \(test.what)")
                    blockedTables.insert(parent.table.name)
                }
            }
        }
        return problems
    }
}
